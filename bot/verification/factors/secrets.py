"""Factors that are secrets: a PIN (checked against its slow hash, never read back) and the
customer's name (fuzzy, so weak: never enough on its own)."""
from __future__ import annotations

from bot.records import CustomerRecord
from bot.understanding import names_match, read_characters
from bot.understanding.names import name_parts
from bot.verification.factors.base import STAND_IN, Answer, Factor, ReadOptions
from bot.verification.pins import pin_matches, valid_pin


class PinFactor(Factor):
    name = "pin"
    secret = True

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        if kind == "digits":
            digits = text.rstrip("#")
        else:
            digits = read_characters(text).value or ""
        if not digits.isdigit():
            return Answer(error="unreadable")
        return Answer(value=digits) if valid_pin(digits) else Answer(error="length")

    def matches(self, value: str, record: CustomerRecord | None, options: ReadOptions) -> bool:
        # The hash runs for unknown numbers and customers without a PIN too: the same time either way.
        on_file = record.pin_hash if record is not None else None
        return pin_matches(value, on_file) and record is not None

    def describe(self, value: str) -> str:
        return "your PIN"  # never read back


class NameFactor(Factor):
    name = "name"
    weak = True
    keypad = False

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        if kind == "digits":
            return Answer(error="unreadable")
        parts = name_parts(text)
        if len(parts) < 2:
            return Answer(error="incomplete")  # a single word could be either name
        return Answer(value=" ".join(parts))

    def matches(self, value: str, record: CustomerRecord | None, options: ReadOptions) -> bool:
        on_file = (record or STAND_IN).full_name
        return names_match(value, on_file, first_threshold=options.first_name_threshold,
                           last_threshold=options.last_name_threshold) and record is not None

    def describe(self, value: str) -> str:
        return value.title()
