"""When no one takes a call: the line was busy, did not answer or failed, or the caller waited in the
queue longer than the department allows. The caller is never just hung up on: they are offered what
the department's `unanswered:` lists (departments.yaml), a callback, voicemail or another department,
one at once or, when there are several, as a choice of keys.

Channel adapters report how a handoff ended as Input(kind="handoff", value=RESULT):
    answered, redirected          someone took the call (or moved it on): nothing more to do
    abandoned                     the caller hung up while waiting
    busy, no-answer, failed, canceled, left (waited too long)   -> the alternatives
"""
from __future__ import annotations

from typing import Any

from bot.engine.context import Turn
from bot.engine.steps.handover import hand_over
from bot.engine.io import Expect, Input, Option, Recording
from bot.engine.steps.after_hours import reachable_phone
from bot.engine.steps.base import Outcome
from bot.engine.steps.requirements import step_up
from bot.understanding import read_characters, read_control
from bot.understanding.text import normalise

TAKEN = ("answered", "redirected")
GONE = ("abandoned",)
NOT_TAKEN = ("busy", "no-answer", "failed", "canceled", "left")
RESULTS = TAKEN + GONE + NOT_TAKEN
# Unclear answers to the choice before the first alternative is taken for the caller.
MAX_TRIES = 2
# Words for the alternatives, in the languages flows ship with; a department is also its label and synonyms.
WORDS = {
    "callback": ("call me back", "callback", "call back", "ring me back", "llamada", "llámenme", "llamenme",
                 "devolver la llamada"),
    "voicemail": ("message", "voicemail", "voice mail", "leave a message", "mensaje", "buzón", "buzon"),
}


def after_handoff(turn: Turn, inp: Input) -> Outcome:
    """How the handoff ended; the alternatives when no one took the caller."""
    state = turn.state
    result = inp.value if inp.value in RESULTS else "failed"
    department = state.department
    if result in TAKEN or result in GONE or department not in turn.bundle.departments:
        turn.event("handoff-ended", result)
        state.ended = True
        return Outcome(end=True)
    state.ended = False
    if department not in state.tried:
        state.tried.append(department)
    turn.event("unanswered", f"{department}: {result}")
    options = _options(turn, department)
    if len(options) == 1:
        return _take(turn, options[0], lead=_text(turn, "unanswered"))
    state.unanswered = {"options": options, "tries": 0}
    return _ask(turn, lead=_text(turn, "unanswered"))


def choose(turn: Turn, inp: Input) -> Outcome:
    """The caller's answer to the choice of alternatives."""
    state = turn.state
    options = state.unanswered["options"]
    chosen = _read(turn, inp, options)
    if chosen is None and read_control(inp.value or "") == "repeat":
        return _ask(turn, lead=[])
    if chosen is None:
        state.unanswered["tries"] += 1
        turn.event("no-input" if inp.kind == "silence" else "no-match", "unanswered")
        if state.unanswered["tries"] >= MAX_TRIES:
            # Still no choice: the first alternative is taken for them rather than leaving them on the line.
            return _take(turn, options[0], lead=[])
        return _ask(turn, lead=[])
    return _take(turn, chosen, lead=[])


def _options(turn: Turn, department: str) -> list[str]:
    state = turn.state
    found = []
    for option in turn.bundle.departments[department].unanswered:
        if option in turn.bundle.departments and option in state.tried:
            continue
        if option == "voicemail" and state.channel != "voice":
            continue
        if option == "callback" and reachable_phone(turn)[0] is None:
            continue
        found.append(option)
    # Every alternative used up (another team did not answer either): a message can always be left.
    return found or (["voicemail"] if state.channel == "voice" else ["callback"])


def _ask(turn: Turn, *, lead: list) -> Outcome:
    options = turn.state.unanswered["options"]
    said = list(lead)
    for index, option in enumerate(options, 1):
        said += _offer(turn, option, str(index))
    keys = tuple(Option(str(index), option) for index, option in enumerate(options, 1))
    voice = turn.flow.voice_for(turn.state.language)
    expect = Expect(num_digits=1, timeout=turn.flow.settings.get("timeout", 6), language=voice.get("language"),
                    hints=tuple(w for option in options for w in _words(turn, option)[:3]), options=keys)
    return Outcome(say=said, expect=expect)


def _offer(turn: Turn, option: str, key: str) -> list:
    if option in ("callback", "voicemail"):
        return _text(turn, f"unanswered_{option}", key=key)
    return _text(turn, "unanswered_department", key=key, department=turn.bundle.departments[option].label)


def _read(turn: Turn, inp: Input, options: list[str]) -> str | None:
    value = (inp.value or "").strip().rstrip("#")
    if inp.kind == "digits":
        index = value[:1]
    elif inp.kind in ("speech", "text"):
        index = read_characters(value, layout="D").value or ""
        words = f" {normalise(value).lower()} "
        spoken = [o for o in options if any(f" {w.lower()} " in words for w in _words(turn, o))]
        if len(spoken) == 1:
            return spoken[0]
    else:
        return None
    return options[int(index) - 1] if index.isdigit() and 1 <= int(index) <= len(options) else None


def _words(turn: Turn, option: str) -> tuple[str, ...]:
    if option in WORDS:
        return WORDS[option]
    department = turn.bundle.departments[option]
    return (department.label, option, *department.synonyms)


def _take(turn: Turn, option: str, *, lead: list) -> Outcome:
    state = turn.state
    state.unanswered = None
    department = state.department
    turn.event("alternative", option)
    if option == "voicemail":
        state.ended = True
        return Outcome(say=lead + _text(turn, "leave_message"), end=True, record=Recording(department=department))
    if option == "callback":
        phone, on_file = reachable_phone(turn)
        if phone is not None and turn.services.callbacks is not None:
            state.ended = True
            context = turn.bundle.handoff(department, state, session_key=turn.input.session_key,
                                          reason="unanswered").context
            turn.services.callbacks.request(department=department, phone=phone, context=context)
            return Outcome(say=lead + _text(turn, "callback_booked_on_file" if on_file else "callback_booked"),
                           end=True)
        return _take(turn, "voicemail", lead=lead)
    # Another department: what it requires still holds (a caller without it goes to the general team).
    _, target = step_up(turn, option, None)
    # The agent sees why the caller reached them: the first team did not answer.
    state.handoff_reason = "unanswered"
    label = turn.bundle.departments[target].label
    return hand_over(turn, target, say=lead + _text(turn, "transfer_department", department=label))


def _text(turn: Turn, name: str, **values: Any) -> list:
    return turn.text(turn.flow.texts.get(name), **values)
