"""What a Try-it conversation uses instead of the services that reach customers and colleagues.

- Failed checks count against the supervisor, never the customer: per supervisor and customer
  number (a hashed key of its own in `failed_attempts`, the same lockout threshold and window), and
  per supervisor across numbers (the policy's velocity limit). So typing a real customer's number
  with wrong answers never locks that customer out, and Try it is no way round the lockout either:
  a supervisor (or whoever holds their session) gets as few guesses at a customer's details as a
  caller does. No lock row is written, so the Locked numbers page and "locks today" never show one.
  A number that is really locked is treated as locked, as a caller of it would be.
- Callback requests are not queued and one-time codes are not texted: each becomes a note in the
  transcript, and the code to type is shown there (practice codes)."""
from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from bot.logging_setup import mask
from bot.records import Decision
from bot.store.models import FailedAttempt
from bot.verification.lockout import SqlLedger

# The practice code is as many digits of this as the step asks for (4 to 10): 123456 for six.
PRACTICE_DIGITS = "1234567890"


def supervisor_origin(username: str) -> str:
    """The velocity origin of a supervisor's Try-it conversations: never a caller ID or a client address."""
    return "console:" + hashlib.sha256(b"try-it:" + username.encode("utf-8")).hexdigest()[:32]


def practice_key(username: str, number: str) -> str:
    """Where a supervisor's failed checks on a number are counted: a key no real number can equal."""
    return "tryit:" + hashlib.sha256(f"{username}\0{number}".encode("utf-8")).hexdigest()[:32]


class TryItLedger(SqlLedger):
    def __init__(self, session: Session, lockout, *, supervisor: str, channel: str, conversation_id: str,
                 clock, velocity=None):
        super().__init__(session, lockout, channel=channel, conversation_id=conversation_id, clock=clock,
                         origin=supervisor_origin(supervisor), velocity=velocity)
        self.supervisor = supervisor

    def _really_locked(self, number: str) -> bool:
        return SqlLedger(self.session, self.lockout, channel=self.channel, conversation_id=None,
                         clock=self.clock).failures(number) >= self.lockout.threshold

    def failures(self, number: str) -> int:
        """This supervisor's failed checks on the number in the lockout window (never the customer's)."""
        return super().failures(practice_key(self.supervisor, number))

    def lock_reason(self, number: str) -> str | None:
        if self._really_locked(number) or self.failures(number) >= self.lockout.threshold:
            return "locked"
        return "velocity" if self.too_fast() else None

    def decide(self, number: str, *, passed: bool, recovered: bool = False) -> Decision:
        """As a caller's decision (under the same locks, read afresh), but a failure is counted against
        this supervisor's practice key, and no lock row is ever written."""
        key = practice_key(self.supervisor, number)
        self._serialise(key)
        refused = None if recovered else self.lock_reason(number)
        if refused is not None:
            return Decision("refused", refused)
        if passed:
            return Decision("verified")
        self.session.add(FailedAttempt(customer_number=key, channel=self.channel, origin=self.origin,
                                       conversation_id=self.conversation_id, at=self.clock()))
        self.session.flush()
        reason = self.lock_reason(number)
        return Decision("failed", reason, locks=True) if reason else Decision("failed")


class NotedCallbacks:
    """A callback request in Try it: said in the transcript, never queued for agents."""

    def __init__(self, notes: list[str]):
        self.notes = notes

    def request(self, *, department: str, phone: str, context: dict) -> None:
        self.notes.append(f"A callback request to {mask(phone)} would now be queued for {department}; "
                          "Try it queues nothing.")


class PracticeCodes:
    """One-time codes in Try it: nothing is texted; the code to type is said in the transcript."""

    def __init__(self, notes: list[str], lengths: list[int]):
        self.notes = notes
        self.codes = [PRACTICE_DIGITS[:n] for n in sorted(set(lengths))] or [PRACTICE_DIGITS[:6]]

    def send(self, phone: str) -> str:
        self.notes.append(f"A one-time code would now be texted to {mask(phone)}; Try it sends nothing: "
                          f"type {' or '.join(self.codes)}.")
        return "sent"

    def check(self, phone: str, code: str) -> str:
        return "approved" if code and code == PRACTICE_DIGITS[:len(code)] else "wrong"
