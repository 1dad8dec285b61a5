"""Knowledge factors: read an answer from keypad, speech or text, and compare it with the record.

Comparisons are constant-time and run even when the customer number is unknown (against a
stand-in record), so neither the answer nor the timing tells a caller whether a number exists.
"""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any, Protocol

from bot.engine.context import CustomerRecord
from bot.understanding import postcodes_match, read_date, read_keypad_date, read_postcode

# Compared against when the number is unknown; no real answer can equal the impossible date.
_STAND_IN = CustomerRecord(number="", full_name="", date_of_birth=dt.date(1, 1, 1), postcode="\x00")


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


class Factor(Protocol):
    name: str

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer: ...
    def matches(self, value: Any, record: CustomerRecord | None) -> bool: ...
    def to_stored(self, value: Any) -> Any: ...
    def from_stored(self, stored: Any) -> Any: ...
    def describe(self, value: Any) -> str: ...
    def keypad_length(self, options: ReadOptions) -> int | None: ...


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class DateOfBirth:
    name = "date_of_birth"

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        if kind == "digits":
            reading = read_keypad_date(text.rstrip("#"), layout=options.date_layout, today=options.today)
        else:
            reading = read_date(text, day_first=options.date_layout.startswith("DD"), today=options.today)
        if reading.value is None:
            return Answer(error=reading.error or "unreadable")
        return Answer(value=reading.value, unsure=reading.ambiguous)

    def matches(self, value: dt.date, record: CustomerRecord | None) -> bool:
        on_file = (record or _STAND_IN).date_of_birth
        return same(value.isoformat(), on_file.isoformat()) and record is not None

    def to_stored(self, value: dt.date) -> str:
        return value.isoformat()

    def from_stored(self, stored: str) -> dt.date:
        return dt.date.fromisoformat(stored)

    def describe(self, value: dt.date) -> str:
        return f"{value.day} {value:%B} {value.year}"

    def keypad_length(self, options: ReadOptions) -> int | None:
        return len(options.date_layout)


class PostcodeFactor:
    name = "postcode"

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        # A keypad can only carry a ZIP code; letters need speech or text.
        countries = ("US",) if kind == "digits" else ("GB", "US", "CA")
        postcode = read_postcode(text.rstrip("#"), countries=countries)
        if postcode is None:
            return Answer(error="unreadable")
        return Answer(value=postcode.value)

    def matches(self, value: str, record: CustomerRecord | None) -> bool:
        return postcodes_match(value, (record or _STAND_IN).postcode) and record is not None

    def to_stored(self, value: str) -> str:
        return value

    def from_stored(self, stored: str) -> str:
        return stored

    def describe(self, value: str) -> str:
        return " ".join(ch for ch in value if not ch.isspace())

    def keypad_length(self, options: ReadOptions) -> int | None:
        return None


FACTORS: dict[str, Factor] = {f.name: f for f in (DateOfBirth(), PostcodeFactor())}
