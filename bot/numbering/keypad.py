"""Alphanumeric numbers typed on a phone keypad (2=ABC ... 9=WXYZ).

A keypad caller can only send digits, so "MB1234567O" arrives as "6212345676". We index
that digit form, and expand it back into the few valid numbers it can stand for: the
prefix table and the check character discard almost every spelling.
"""

from __future__ import annotations

from itertools import product
from typing import TYPE_CHECKING

from .characters import compact
from .errors import InvalidFormat

if TYPE_CHECKING:
    from .scheme import Scheme

__all__ = ["KEYS", "keypad_form", "candidates"]

KEYS = {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL",
    "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ",
}  # fmt: skip
_KEY_OF = {letter: key for key, letters in KEYS.items() for letter in letters}


def keypad_form(number: object) -> str:
    """The digits a keypad caller presses for `number` ('MB12' -> '6212')."""
    text = compact(number)
    for position, char in enumerate(text):
        if not (char.isascii() and char.isalnum()) and char != "*":
            raise InvalidFormat(f"{char!r} is not on a phone keypad", character=char, position=position)
    return "".join(_KEY_OF.get(char, char) for char in text)


def candidates(scheme: Scheme, digits: object) -> list[str]:
    """All valid numbers of `scheme` whose keypad form is `digits`, sorted."""
    typed = compact(digits)
    if len(typed) != scheme.length:
        return []
    check_length = scheme.algorithm.check_length
    options = [
        [c for c in allowed if _KEY_OF.get(c, c) == key]
        for key, allowed in zip(typed[:-check_length], scheme.positions)
    ]
    prefix = scheme.prefix_segment
    if prefix is not None:
        # Expand the prefix from the table, not from its alphabet: a handful of codes
        # instead of 26 x 26 letter pairs.
        codes = [code for code in scheme.prefixes if keypad_form(code) == typed[: prefix.length]]
        options = [codes] + options[prefix.length :]
    found = []
    for parts in product(*options):
        payload = "".join(parts)
        check = scheme.algorithm.calc_check(payload)
        if keypad_form(check) == typed[-check_length:] and scheme.accepts(payload + check):
            found.append(payload + check)
    return sorted(found)
