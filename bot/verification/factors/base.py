"""What every factor shares: how an answer comes back, the options reading it needs, and a
constant-time comparison.

A factor is one kind of proof. `asked` factors are read from what the caller keys, says or types
(an `ask` step); `observed` ones come from the call itself (caller ID); `possession` ones from a
code sent to the phone on file (a `one_time_code` step).
"""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from bot.records import CustomerRecord

# Compared against when the number is unknown, so an unknown number costs the same work as a
# known one and can never match: no real answer equals the impossible date or a NUL.
STAND_IN = CustomerRecord(number="", full_name="\x00 \x00", date_of_birth=dt.date(1, 1, 1), postcode="\x00",
                          phone="\x00", email="\x00")


@dataclass(frozen=True)
class Answer:
    value: Any = None
    error: str | None = None  # why it cannot be used; names a re-prompt wording when the flow has one
    unsure: bool = False  # ambiguous or repaired: read it back before using it


@dataclass(frozen=True)
class ReadOptions:
    date_layout: str = "DDMMYYYY"
    today: dt.date | None = None
    region: str = "GB"
    # From policy.yaml `factors: name:`; Jaro-Winkler similarities, 0..1.
    first_name_threshold: float = 0.90
    last_name_threshold: float = 0.92


def same(a: str, b: str) -> bool:
    """Equal, in time that depends only on the lengths, never on where they differ."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class Factor:
    name: ClassVar[str]
    kind: ClassVar[Literal["asked", "observed", "possession"]] = "asked"
    # Never read back for a yes/no, so the answer is not kept even while it waits for one.
    secret: ClassVar[bool] = False
    # Needs Twilio Verify (TWILIO_VERIFY_SERVICE_SID): a flow using it fails `bot flows check` without.
    needs_verify: ClassVar[bool] = False
    # Never enough on its own: a policy that these alone could pass is refused.
    weak: ClassVar[bool] = False
    # Keypad and spoken/typed input the factor can be given by (for the Gather).
    keypad: ClassVar[bool] = True

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        raise NotImplementedError

    def matches(self, value: Any, record: CustomerRecord | None, options: ReadOptions) -> bool:
        raise NotImplementedError

    def to_stored(self, value: Any) -> Any:
        return value

    def from_stored(self, stored: Any) -> Any:
        return stored

    def describe(self, value: Any) -> str:
        return str(value)

    def keypad_length(self, options: ReadOptions) -> int | None:
        return None
