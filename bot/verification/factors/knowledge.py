"""Things the customer knows and the record holds exactly: date of birth, postcode, email, the
last four digits of the phone on file. Every comparison is constant-time and runs against a
stand-in record when the number is unknown."""
from __future__ import annotations

import datetime as dt
import re

from bot.records import CustomerRecord
from bot.understanding import postcodes_match, read_date, read_email, read_keypad_date, read_last_four, read_postcode
from bot.verification.factors.base import STAND_IN, Answer, Factor, ReadOptions, same


ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")
SPANISH_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                  "octubre", "noviembre", "diciembre")


class DateOfBirth(Factor):
    name = "date_of_birth"

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        if kind == "digits":
            reading = read_keypad_date(text.rstrip("#"), layout=options.date_layout, today=options.today)
        else:
            reading = read_date(text, day_first=options.date_layout.startswith("DD"), today=options.today)
        if reading.value is None:
            return Answer(error=reading.error or "unreadable")
        return Answer(value=reading.value, unsure=reading.ambiguous)

    def matches(self, value: dt.date, record: CustomerRecord | None, options: ReadOptions) -> bool:
        on_file = (record or STAND_IN).date_of_birth
        return same(value.isoformat(), on_file.isoformat()) and record is not None

    def to_stored(self, value: dt.date) -> str:
        return value.isoformat()

    def from_stored(self, stored: str) -> dt.date:
        return dt.date.fromisoformat(stored)

    def describe(self, value: dt.date, language: str = "en") -> str:
        # Month names by hand: %B follows the server's locale, not the caller's language.
        if language == "es":
            return f"{value.day} de {SPANISH_MONTHS[value.month - 1]} de {value.year}"
        return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"

    def keypad_length(self, options: ReadOptions) -> int | None:
        return len(options.date_layout)


class PostcodeFactor(Factor):
    name = "postcode"

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        # A keypad can only carry a ZIP code; letters need speech or text.
        countries = ("US",) if kind == "digits" else ("GB", "US", "CA")
        postcode = read_postcode(text.rstrip("#"), countries=countries)
        if postcode is None:
            return Answer(error="unreadable")
        return Answer(value=postcode.value)

    def matches(self, value: str, record: CustomerRecord | None, options: ReadOptions) -> bool:
        return postcodes_match(value, (record or STAND_IN).postcode) and record is not None

    def describe(self, value: str) -> str:
        return " ".join(ch for ch in value if not ch.isspace())


class EmailFactor(Factor):
    name = "email"
    keypad = False

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        address = read_email(text) if kind != "digits" else None
        return Answer(value=address) if address else Answer(error="unreadable")

    def matches(self, value: str, record: CustomerRecord | None, options: ReadOptions) -> bool:
        on_file = ((record or STAND_IN).email or "\x00").lower()
        return same(value.lower(), on_file) and record is not None

    def describe(self, value: str) -> str:
        return value.replace(".", " dot ").replace("@", " at ")


class LastFour(Factor):
    """The last four digits of the phone number on file."""

    name = "last_four"

    def read(self, kind: str, text: str, options: ReadOptions) -> Answer:
        if kind == "digits":
            digits = text.rstrip("#")
            return Answer(value=digits) if re.fullmatch(r"\d{4}", digits) else Answer(error="length")
        digits = read_last_four(text)
        return Answer(value=digits) if digits else Answer(error="unreadable")

    def matches(self, value: str, record: CustomerRecord | None, options: ReadOptions) -> bool:
        on_file = re.sub(r"\D", "", (record or STAND_IN).phone or "")[-4:] or "\x00\x00\x00\x00"
        return same(value, on_file) and record is not None

    def describe(self, value: str) -> str:
        return " ".join(value)

    def keypad_length(self, options: ReadOptions) -> int | None:
        return 4
