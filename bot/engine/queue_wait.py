"""What a caller waiting in a department's queue hears, each time Twilio asks (the <Enqueue> waitUrl):
their place and the expected wait, then the hold audio (or silence) - or, once they have waited
longer than the department allows, that they leave the queue to be offered the alternatives.

Twilio posts QueuePosition, QueueTime (seconds this caller has waited), AvgQueueTime (seconds,
averaged over the queue) and CurrentQueueSize to the waitUrl, and asks again when the TwiML it got
has finished (https://www.twilio.com/docs/voice/twiml/enqueue#waiturl); <Leave> takes the caller out
of the queue, and the <Enqueue> action then reports QueueResult=leave
(https://www.twilio.com/docs/voice/twiml/leave). So the wait is checked every time the hold audio
(or a pause of at most HOLD_PAUSE seconds) ends: keep hold audio to a minute or two.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.io import Segment
from bot.engine.text import render, resolve
from bot.records import State

HOLD_PAUSE = 20  # seconds of silence between announcements when no hold audio is set


@dataclass(frozen=True)
class Hold:
    leave: bool = False
    say: list[Segment] = field(default_factory=list)
    audio: str | None = None
    pause_seconds: int = HOLD_PAUSE
    language: str | None = None
    voice: str | None = None


def hold(bundle, state: State | None, *, position: int | None, average: int | None, waited: int | None) -> Hold:
    department = bundle.departments.get(state.department) if state is not None and state.department else None
    if department is None:
        return Hold()
    if waited is not None and waited >= department.max_wait:
        return Hold(leave=True)
    language = state.language
    voice = bundle.flow.voice_for(language)

    def text(name: str, **values) -> list[Segment]:
        wording = resolve(bundle.flow.texts.get(name), language=language, default_language=bundle.flow.default_language,
                          channel="voice")
        return render(wording, values)

    said: list[Segment] = []
    if position is not None and position >= 1:
        said += text("queue_next") if position == 1 else text("queue_position", position=position)
        if average is not None and average > 0:
            said += [Segment(" ")] + (text("queue_wait_short") if average < 90
                                      else text("queue_wait", minutes=round(average / 60)))
    remaining = department.max_wait - (waited or 0)
    return Hold(say=said, audio=department.hold_audio, pause_seconds=max(1, min(HOLD_PAUSE, remaining)),
                language=voice.get("language", language), voice=voice.get("voice"))
