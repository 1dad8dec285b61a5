"""What a handoff does when the department is closed: take a voicemail, text a link, or book a
callback, as departments.yaml says; the wording lives on the handoff step so it is translated."""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.io import OutgoingText, Recording
from bot.engine.steps.base import Outcome, Spec
from bot.routing import Department

AFTER_HOURS_SPECS = {
    "closed_voicemail": Spec("text", default="We're closed at the moment. Please leave a message after the tone, and we'll get back to you."),
    "closed_callback": Spec("text", default="We're closed at the moment. We'll call you back on the number you're calling from as soon as we open."),
    "closed_sms": Spec("text", default="We're closed at the moment. I've sent you a text message with a link where you can get help now."),
    "closed_sms_message": Spec("text", default="Northwind: we're closed right now. You can get help here: {link}"),
    "closed": Spec("text", default="We're closed at the moment. Please contact us again during our opening hours."),
}


def after_hours(turn: Turn, department: Department, context: dict) -> Outcome:
    state = turn.state
    state.ended = True
    action = department.after_hours.action if department.after_hours else "callback"
    phone = _reachable_phone(turn)
    if action == "voicemail" and state.channel == "voice":
        turn.event("after-hours", "voicemail")
        return Outcome(say=turn.text(turn_step(turn).get("closed_voicemail")), end=True,
                       record=Recording(department=department.name))
    if action == "sms" and department.after_hours and department.after_hours.link:
        message = "".join(s.text for s in turn.text(turn_step(turn).get("closed_sms_message"),
                                                         link=department.after_hours.link))
        if state.channel != "voice":
            # Chat users get the link in the conversation itself.
            turn.event("after-hours", "link")
            return Outcome(say=turn.text(message), end=True)
        if phone:
            turn.event("after-hours", "sms")
            return Outcome(say=turn.text(turn_step(turn).get("closed_sms")), end=True,
                           text_message=OutgoingText(to=phone, body=message))
    if phone and turn.services.callbacks is not None:
        turn.services.callbacks.request(department=department.name, phone=phone, context=context)
        turn.event("after-hours", "callback")
        return Outcome(say=turn.text(turn_step(turn).get("closed_callback")), end=True)
    turn.event("after-hours", "closed")
    return Outcome(say=turn.text(turn_step(turn).get("closed")), end=True)


def turn_step(turn: Turn):
    return turn.flow.steps[turn.state.step]


def _reachable_phone(turn: Turn) -> str | None:
    """The caller's own number, or the one on file once they are verified."""
    state = turn.state
    if state.channel in ("voice", "sms") and state.caller:
        return state.caller
    if state.channel == "whatsapp" and state.caller:
        return state.caller.removeprefix("whatsapp:")
    if state.verified and state.customer_number:
        record = turn.services.directory.find(state.customer_number)
        return record.phone if record else None
    return None
