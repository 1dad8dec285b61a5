"""Character classes of numbers and clean-up of what callers type.

`compact` is the one place raw input becomes a candidate number; everything else in the
package works on its output.
"""

from __future__ import annotations

import unicodedata

from stdnum.util import clean

from .errors import InvalidFormat

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALPHANUMERIC = DIGITS + LETTERS

# Names usable in flows/numbering.yaml: `digits | alphanumeric` for a scheme,
# `digits | letters | alphanumeric` for a segment.
ALPHABETS = {"digits": DIGITS, "letters": LETTERS, "alphanumeric": ALPHANUMERIC}

# Separators people put in numbers when writing them; stdnum's clean() first folds the
# Unicode look-alikes (en dash, no-break space, full-width hyphen...) onto these.
_SEPARATORS = " -."


def describe(chars: str | frozenset[str]) -> str:
    """Words for a character class, for messages and `details["expected"]`."""
    chars = frozenset(chars)
    has_digits = chars >= frozenset(DIGITS)
    has_letters = chars >= frozenset(LETTERS)
    extra = sorted(chars - frozenset(DIGITS if has_digits else "") - frozenset(LETTERS if has_letters else ""))
    words = (["digit"] if has_digits else []) + (["letter"] if has_letters else [])
    words += [repr(c) for c in extra]
    return " or ".join(words) if words else "nothing"


def _to_ascii(char: str) -> str:
    # Chat users on Arabic, Persian or Devanagari keyboards, and Japanese/Chinese input
    # methods (full-width forms), type the right number in other characters; refusing it
    # would fail a correct caller, so fold them onto ASCII. Only decimal digits (category
    # Nd) are folded: unicodedata.digit() would also turn superscripts and circled
    # numbers into digits, which nobody types for a customer number.
    if "\uff01" <= char <= "\uff5e":  # full-width ASCII block: same order, fixed offset
        return chr(ord(char) - 0xFEE0)
    if not char.isascii():
        value = unicodedata.decimal(char, None)
        if value is not None:
            return str(value)
    return char


def compact(text: object) -> str:
    """Upper-case, drop separators and whitespace, fold other digit scripts to ASCII.

    Anything that is not a str (None, an int from a JSON body) raises InvalidFormat,
    never TypeError: a caller's input must only ever produce a re-prompt.
    """
    if not isinstance(text, str):
        raise InvalidFormat(f"expected text, got {type(text).__name__}", got=type(text).__name__)
    if text.isascii() and text.isalnum():
        return text.upper()  # already compact (a number from a file or a keypad): nothing to fold or drop
    folded = "".join(_to_ascii(char) for char in text)
    return "".join(char for char in clean(folded, _SEPARATORS).upper() if not char.isspace())
