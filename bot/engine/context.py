"""What a step may ask of the world: the customer directory, the lockout ledger, the audit log, the clock.

Steps see these small interfaces, never the database, so the engine runs the same under the
web server, the simulator and unit tests.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.engine.io import Input, Segment
from bot.records import CustomerRecord, Decision, EventRecord, Looked, State

if TYPE_CHECKING:
    from bot.engine.bundle import FlowBundle


class Directory(Protocol):
    def find(self, number: str) -> CustomerRecord | None: ...

    def find_by_keypad(self, digits: str) -> list[str]:
        """Numbers whose phone-keypad form is `digits` (MB1234567O -> 6212345676), sorted."""

    def find_by_phone(self, phone: str) -> list[str]:
        """Numbers of the customers whose phone on file is exactly `phone` (caller ID), sorted."""

    def find_by_birth_date(self, date_of_birth: dt.date) -> list[str]:
        """Numbers of the customers born on that day, sorted (recovering a forgotten number)."""


class Ledger(Protocol):
    def lock_reason(self, number: str) -> str | None:
        """Why verification would be refused now: "locked" (this number) or "velocity" (this caller); None if not.
        An early answer, to spare a refused caller the questions; `decide` is what counts."""

    def decide(self, number: str, *, passed: bool, recovered: bool = False) -> Decision:
        """Decide under the number's lock. `passed`: the answers met the policy. `recovered`: the caller
        proved they hold the phone on file while refused, so a lock or velocity limit does not refuse them."""

    def fail_unmatched(self) -> Decision:
        """A failed check that matched no customer (details given to recover a number): counted against the
        caller's velocity limit only, under the origin's lock; "refused" when that limit was already reached."""


class AuditLog(Protocol):
    def record(self, *, customer_number: str | None, factors_asked: list[str], factors_passed: list[str],
               result: str, reason: str | None) -> None: ...


class OneTimeCodes(Protocol):
    """Codes sent to the phone on file and checked (Twilio Verify in production). The code itself
    never passes through the engine's state: the service keeps it."""

    def send(self, phone: str) -> str:
        """Returns "sent", "too-many" (the service's send limit) or "unavailable"."""

    def check(self, phone: str, code: str) -> str:
        """Returns "approved", "wrong", "expired", "too-many" (the check limit) or "unavailable"."""


class SelfService(Protocol):
    """The business's own systems, asked about a verified customer (bot/self_service.py over HTTP)."""

    def look_up(self, request: dict) -> Looked: ...


class CallbackBook(Protocol):
    def request(self, *, department: str, phone: str, context: dict) -> None:
        """Ask the department to call this phone back when it opens."""


@dataclass(frozen=True)
class Services:
    directory: Directory
    ledger: Ledger
    audit: AuditLog
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)
    callbacks: CallbackBook | None = None
    # None when Twilio Verify is not configured; flows that need it are refused at load time.
    otp: OneTimeCodes | None = None
    # None when SELF_SERVICE_URL is not set: `lookup` steps fall back, menus hide their options.
    self_service: SelfService | None = None
    # Text messages can be sent (TWILIO_SMS_FROM): a recovered customer number goes by SMS.
    can_text: bool = False


@dataclass
class Turn:
    """Everything one step invocation needs; collects the events the turn produces."""

    bundle: "FlowBundle"
    services: Services
    state: State
    input: Input
    events: list[EventRecord] = field(default_factory=list)
    # Set when the input must not be kept anywhere (a card number): chat transcripts store a placeholder.
    withhold_input: str | None = None

    @property
    def flow(self):
        return self.bundle.flow

    def event(self, outcome: str, detail: str | None = None, *, step: str | None = None) -> None:
        self.events.append(EventRecord(step or self.state.step, outcome, detail))

    def text(self, value, **values) -> list[Segment]:
        from bot.engine.text import render, resolve

        from bot.engine import ssml
        from bot.engine.io import Segment

        template = resolve(value, language=self.state.language, default_language=self.flow.default_language,
                           channel=self.state.channel)
        segments = render(template, values)
        if not any(s.kind == "text" and ssml.has_markup(s.text) for s in segments):
            return segments
        # SSML is spoken on voice; chat shows the words alone.
        kind = "ssml" if self.state.channel == "voice" else "text"
        return [Segment(s.text if kind == "ssml" else ssml.plain(s.text), kind) if s.kind == "text" and ssml.has_markup(s.text)
                else s for s in segments]

    def today(self) -> dt.date:
        return self.services.clock().date()
