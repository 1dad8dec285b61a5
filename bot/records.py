"""The plain records every layer shares: a conversation's state, a customer, a handoff's target,
a verification decision, an event, a self-service answer.

They sit at the bottom so storage, verification, routing and the engine can all use them without
importing one another: no HTTP, no database, no flow logic here, only data (and the few helpers
that keep State's counters consistent).
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def _copied(value: Any) -> Any:
    """A deep copy of plain JSON-like data (what a state holds), several times cheaper than copy.deepcopy."""
    if type(value) in _IMMUTABLE:  # most of a state: answered before the isinstance checks below
        return value
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, (str, int, float, tuple, dt.date)):  # subclasses of the immutable ones too
        return value
    return copy.deepcopy(value)


@dataclass
class State:
    step: str | None = None
    language: str = "en"
    channel: str = "voice"
    caller: str | None = None
    customer_number: str | None = None
    scheme: str | None = None
    # Factor name -> passed. Results only: the answers themselves are never kept.
    factors: dict[str, bool] = field(default_factory=dict)
    # Step name -> {"no_input": n, "no_match": n}; attempts left are derived from these.
    counters: dict[str, dict[str, int]] = field(default_factory=dict)
    factors_passed: list[str] = field(default_factory=list)
    verify_failures: int = 0
    verified: bool = False
    locked: bool = False
    department: str | None = None
    # An inline offer (a language step) riding on the current question, until the first answer.
    offer: str | None = None
    # The start of a number given in parts, until the rest arrives.
    partial: str | None = None
    # "repeat" and "help" asked at the current question: capped so they cannot go on forever.
    controls: int = 0
    # A reading awaiting the caller's yes/no; cleared as soon as it is answered.
    pending: dict[str, Any] | None = None
    handoff_reason: str | None = None
    ended: bool = False
    # The department a step-up (one-time code) was started for: tried once per department, never looped.
    step_up_for: str | None = None
    # One-time codes sent at the current code step (resends are capped; the code itself is never kept).
    code_sends: int = 0
    # A/B test name -> the variant ("A" or "B") this conversation hears; chosen up front by a
    # conversation test or the simulator, else derived from the conversation's key.
    variants: dict[str, str] = field(default_factory=dict)
    # No one took the call: the alternatives on offer ({"options": [...], "tries": n}) while the caller chooses.
    unanswered: dict[str, Any] | None = None
    # Departments already handed to in this call, so an alternative never leads back to one that failed.
    tried: list[str] = field(default_factory=list)
    # The number whose lock (or velocity refusal) this caller got past with a one-time code to the
    # phone on file: the questions still decide, but the lock does not refuse them.
    recovered_for: str | None = None
    # Recovering a forgotten customer number (recover_number step): how ("caller_id" or "details"), the
    # customer the caller ID found, and the numbers still matching what was answered. Never the answers.
    recovery: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: _copied(getattr(self, name)) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "State":
        # A copy: the dict it came from (the state before the turn) must stay as it was.
        fields = cls.__dataclass_fields__
        return cls(**{k: _copied(v) for k, v in (data or {}).items() if k in fields})

    def count(self, step: str, kind: str) -> int:
        bucket = self.counters.setdefault(step, {})
        bucket[kind] = bucket.get(kind, 0) + 1
        return bucket[kind]

    def attempts(self, step: str) -> int:
        return sum(self.counters.get(step, {}).values())

    def reset(self, step: str) -> None:
        self.counters.pop(step, None)


@dataclass(frozen=True)
class CustomerRecord:
    number: str
    full_name: str
    date_of_birth: dt.date
    postcode: str
    phone: str | None = None
    email: str | None = None
    segment: str | None = None
    status: str = "active"
    # The PIN as a slow salted hash (bot.verification.pins); never the PIN itself.
    pin_hash: str | None = None


@dataclass(frozen=True)
class EventRecord:
    step: str | None
    outcome: str
    detail: str | None = None


@dataclass(frozen=True)
class Decision:
    """A verification decision, taken under the number's lock with the lockout and velocity read afresh.

    outcome: "verified"; "failed" (counted; `locks` when this failure locked the number or reached the
    caller's velocity limit, `reason` saying which); or "refused" (locked or too fast already: nothing
    is counted and nobody is verified, whatever the answers)."""

    outcome: str
    reason: str | None = None
    locks: bool = False


@dataclass(frozen=True)
class Target:
    kind: Literal["queue", "number", "sip"]
    address: str
    workflow_sid: str | None = None
    # A number or SIP target: seconds it may ring before Twilio gives up (<Dial timeout>).
    ring_seconds: int = 25
    # TaskRouter only: the <Task>'s priority and timeout (seconds), when the department sets them.
    task_priority: int | None = None
    task_timeout: int | None = None


@dataclass(frozen=True)
class Handoff:
    department: str
    target: Target
    context: dict[str, Any]


@dataclass(frozen=True)
class Looked:
    """What a self-service look-up brought back: the business's JSON object, or why there is none."""

    values: dict | None = None
    problem: str | None = None  # timeout, HTTP 500, unreachable ... (never customer data)
