"""What a handoff does when the department is closed: take a voicemail, text a link, or book a
callback, as departments.yaml says. The wording is the flow's built-in texts (builtin_texts.py,
translated like every prompt), unless the handoff step gives its own."""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.io import OutgoingText, Recording, Reply
from bot.engine.steps.base import Outcome, Spec
from bot.records import State
from bot.routing import Department

AFTER_HOURS_SPECS = {name: Spec("text") for name in (
    "closed_voicemail", "closed_callback", "closed_callback_on_file", "closed_sms", "closed_sms_message", "closed")}


def after_hours(turn: Turn, department: Department, context: dict) -> Outcome:
    state = turn.state
    state.ended = True
    action = department.after_hours.action if department.after_hours else "callback"
    phone, on_file = reachable_phone(turn)
    if action == "voicemail" and state.channel == "voice":
        turn.event("after-hours", "voicemail")
        return Outcome(say=turn.text(wording(turn, "closed_voicemail")), end=True,
                       record=Recording(department=department.name))
    if action == "sms" and department.after_hours and department.after_hours.link:
        message = "".join(s.text for s in turn.text(wording(turn, "closed_sms_message"),
                                                         link=department.after_hours.link))
        if state.channel != "voice":
            # Chat users get the link in the conversation itself.
            turn.event("after-hours", "link")
            return Outcome(say=turn.text(message), end=True)
        if phone:
            turn.event("after-hours", "sms")
            return Outcome(say=turn.text(wording(turn, "closed_sms")), end=True,
                           text_message=OutgoingText(to=phone, body=message))
    if phone and turn.services.callbacks is not None:
        turn.services.callbacks.request(department=department.name, phone=phone, context=context)
        turn.event("after-hours", "callback")
        # Never "the number you're calling from" when the caller ID was withheld.
        return Outcome(say=turn.text(wording(turn, "closed_callback_on_file" if on_file else "closed_callback")),
                       end=True)
    turn.event("after-hours", "closed")
    return Outcome(say=turn.text(wording(turn, "closed")), end=True)


def wording(turn: Turn, name: str):
    """The handoff step's own wording for `name`, else the flow's built-in text."""
    own = turn.flow.steps[turn.state.step].data.get(name)
    return own if own is not None else turn.flow.texts.get(name)


def voicemail_goodbye(bundle, state: State | None) -> Reply:
    """What a caller hears once their voicemail is recorded, in their language and voice."""
    language = state.language if state is not None else bundle.flow.default_language
    voice = bundle.flow.voice_for(language)
    from bot.engine.text import render, resolve

    text = resolve(bundle.flow.texts.get("voicemail_goodbye"), language=language,
                   default_language=bundle.flow.default_language, channel="voice")
    return Reply(say=render(text), end=True, language=voice.get("language", language), voice=voice.get("voice"))


def reachable_phone(turn: Turn) -> tuple[str | None, bool]:
    """The caller's own number, or the one on file once they are verified (True)."""
    state = turn.state
    if state.channel in ("voice", "sms") and state.caller:
        return state.caller, False
    if state.channel == "whatsapp" and state.caller:
        return state.caller.removeprefix("whatsapp:"), False
    if state.verified and state.customer_number:
        record = turn.services.directory.find(state.customer_number)
        return (record.phone, True) if record and record.phone else (None, False)
    return None, False
