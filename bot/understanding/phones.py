"""Phone numbers said or typed by callers, the last four digits of something, and caller ID
that carries no usable number."""

from __future__ import annotations

import re

import phonenumbers

from .characters import expand, parse_slots, read_characters
from .text import normalise, too_long

# Withheld caller ID as older Twilio accounts deliver it: keypad spellings of ANONYMOUS,
# RESTRICTED, BLOCKED, UNKNOWN and UNAVAILABLE. Some pass is_possible_number, so they are
# listed explicitly rather than recognised by shape.
WITHHELD_NUMBERS = frozenset({"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"})
WITHHELD_WORDS = frozenset({
    "", "anonymous", "restricted", "unknown", "private", "withheld", "blocked",
    "unavailable", "none", "null", "undefined",
})

_PLUS = re.compile(r"^\W*(?:\+|plus\b)", re.IGNORECASE)
_LAST_FOUR = re.compile(r"\blast\s+(?:four|4|for)\b(?:\s+(?:digits?|numbers?))?", re.IGNORECASE)
_LENGTHS = range(7, 18)  # shortest local numbers to the longest E.164 plus a trunk prefix


def valid_e164(candidate: str, region: str) -> str | None:
    """`candidate` in E.164 if phonenumbers reads it as a valid number with `region` as the default."""
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def read_phone(text: str, *, region: str = "GB") -> str | None:
    """The one valid phone number the text can mean, in E.164; None if none or several.

    >>> read_phone("oh seven nine one one one two three four five six")
    '+447911123456'
    """
    if too_long(text):
        return None
    text = normalise(text)
    plus = "+" if _PLUS.search(text) else ""
    slots, _ = parse_slots(_PLUS.sub(" ", text, count=1))
    found: dict[str, float] = {}
    for digits, cost, _repaired in expand(slots, digits_only=True):
        if len(digits) in _LENGTHS:
            number = valid_e164(plus + digits, region)
            if number is not None and number not in found:
                found[number] = cost
    if not found:
        return None
    best = min(found.values())
    winners = [n for n, c in found.items() if c == best]
    # "for 646 555 012 to" is 464-655-5012 or 646-555-0122: both valid, so neither.
    return winners[0] if len(winners) == 1 else None


def read_last_four(text: str) -> str | None:
    """Four digits, as in "the last four digits are 4 3 2 1"; None unless exactly one reading."""
    if too_long(text):
        return None
    # "last four" must go first, or its "four" would be read as a digit.
    reading = read_characters(_LAST_FOUR.sub(" ", normalise(text)), layout="DDDD")
    return None if reading.ambiguous else reading.value


def is_withheld_caller_id(value: str | None) -> bool:
    """True when caller ID carries no number we could look a customer up by."""
    if not isinstance(value, str):
        return True
    compact = re.sub(r"[\s\-().]", "", value).lower()
    if compact.startswith("whatsapp:"):
        compact = compact[len("whatsapp:"):]
    if compact in WITHHELD_WORDS or "+" + compact.lstrip("+") in WITHHELD_NUMBERS:
        return True
    if compact.startswith("client:"):  # a Twilio SDK client, not a phone
        return True
    return not any(ch.isdigit() for ch in compact)
