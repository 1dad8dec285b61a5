"""What goes into the engine and what comes out: channel-neutral, no HTTP, no TwiML."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.records import Handoff

Channel = Literal["voice", "sms", "whatsapp", "web"]
# "handoff": how a handoff ended (the value: answered, busy, no-answer, failed, left, ...), as the
# channel reported it; the conversation carries on if no one took the caller.
InputKind = Literal["start", "digits", "speech", "text", "silence", "hangup", "handoff"]


@dataclass(frozen=True)
class Input:
    channel: Channel
    session_key: str
    kind: InputKind
    value: str = ""
    confidence: float | None = None
    caller: str | None = None
    called: str | None = None
    # Given while only an inline offer (a language choice) was listening, before its question was asked.
    at_offer: bool = False


@dataclass(frozen=True)
class Segment:
    """A piece of what to say: plain text, a run read digit by digit, or a pause."""

    text: str
    kind: Literal["text", "digits", "pause", "ssml"] = "text"
    # Set only where a reply mixes languages (a language menu): said in this voice and language.
    language: str | None = None
    voice: str | None = None
    # Verification data the customer may hear but the store must not keep (the last four digits of
    # the phone on file): chat transcripts record it masked.
    private: bool = False


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Expect:
    """What the step waits for next; the voice renderer turns this into <Gather>."""

    dtmf: bool = True
    speech: bool = True
    num_digits: int | None = None
    finish_on_key: str = "#"
    timeout: int = 6
    speech_timeout: str = "auto"
    speech_model: str | None = None
    enhanced: bool = False  # Twilio's premium phone_call model
    hints: tuple[str, ...] = ()
    language: str | None = None
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Recording:
    """Take a voicemail (voice only)."""

    department: str
    max_seconds: int = 120


@dataclass(frozen=True)
class OutgoingText:
    """A text message to send to the caller, e.g. a link when a department is closed."""

    to: str
    body: str


@dataclass
class Reply:
    say: list[Segment] = field(default_factory=list)
    expect: Expect | None = None
    handoff: Handoff | None = None
    end: bool = False
    language: str = "en"
    voice: str | None = None
    record: Recording | None = None
    text_message: OutgoingText | None = None
    # An inline offer listening on its own before `expect` (voice: a Gather of its own, ended by one
    # key, directly followed in the same document by the question's Gather); it holds the first
    # `offer_said` segments of `say`.
    offer: Expect | None = None
    offer_said: int = 0
    # What the customer sent this turn must not be kept (e.g. "card"): transcripts hold a placeholder.
    withhold_input: str | None = None
    # Text messages to send after the reply, on any channel (a recovered customer number, by SMS).
    texts: list[OutgoingText] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The reply as plain text, for chat channels, the simulator and tests."""
        from bot.engine.ssml import plain

        return " ".join(plain(s.text) if s.kind == "ssml" else s.text for s in self.say if s.kind != "pause").strip()
