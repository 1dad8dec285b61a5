"""Spoken numbers: digit words, their homophones, and cardinals such as "twenty one".

Libraries get this domain wrong (word2number sums "one two three" to 6; numerizer mangles
ordinals), so the vocabulary is written out here and every reader shares it.
"""

from __future__ import annotations

DIGIT_WORDS = {
    "zero": "0", "nought": "0", "naught": "0", "nil": "0",
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "niner": "9",
    # Spanish digit words, for callers of the Spanish flow; none is an English word.
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5",
    "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
}

# What phone recognisers write for a spoken digit. Each is also an ordinary word, so a
# reading that uses one is a repair and must be read back. "oh" is not here: it is also a
# letter, and the characters reader decides between 0, O and an interjection.
DIGIT_HOMOPHONES = {
    "won": "1", "to": "2", "too": "2", "tree": "3", "for": "4", "fore": "4",
    "ate": "8", "nein": "9",
}

OH_WORDS = frozenset({"oh", "o", "owe"})

TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
UNITS = {w: int(d) for w, d in DIGIT_WORDS.items() if d != "0"}

ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
}
ORDINAL_WORDS = {
    **ORDINAL_UNITS,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}

# "double five" is 55 in British speech; expand before converting words.
MULTIPLIERS = {"double": 2, "triple": 3, "treble": 3, "quadruple": 4}

NUMBER_WORDS = frozenset(
    {*DIGIT_WORDS, *TEENS, *TENS, *ORDINAL_WORDS, "hundred", "thousand"}
)


def _below_hundred(words: list[str], i: int) -> tuple[int, int, str] | None:
    """0-99 from one or two words at i: (value, next index, 'unit'|'teen'|'tens')."""
    w = words[i] if i < len(words) else ""
    if w in UNITS:
        return UNITS[w], i + 1, "unit"
    if w in TEENS:
        return TEENS[w], i + 1, "teen"
    if w in TENS:
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt in UNITS:
            return TENS[w] + UNITS[nxt], i + 2, "tens"
        return TENS[w], i + 1, "tens"
    return None


def _tail(words: list[str], j: int, value: int, limit: int) -> tuple[int, int]:
    """Add an optional "[and] twenty three" after "hundred"/"thousand"."""
    k = j + 1 if j < len(words) and words[j] == "and" else j
    rest = _below_hundred(words, k)
    if rest is None:
        return value, j
    small, after, _ = rest
    if limit >= 999 and after < len(words) and words[after] == "hundred":
        small, after = _tail(words, after + 1, small * 100, 99)
    if small > limit:
        return value, j
    return value + small, after


def read_cardinal(words: list[str], i: int) -> tuple[str, int, bool] | None:
    """A spoken number of two or more digits starting at words[i].

    Returns (digits, next index, is_quantity) where is_quantity marks "hundred"/"thousand"
    forms, whose digits are an interpretation ("one hundred" is 100, not 1-100). Single
    digit words return None: they are characters, not cardinals.

    >>> read_cardinal("twenty one".split(), 0)
    ('21', 2, False)
    >>> read_cardinal("three hundred and five".split(), 0)
    ('305', 4, True)
    >>> read_cardinal("two thousand and five".split(), 0)
    ('2005', 4, True)
    >>> read_cardinal(["seven"], 0) is None
    True
    """
    small = _below_hundred(words, i)
    if small is None:
        if i < len(words) and words[i] in ("hundred", "thousand"):
            value, j, kind = 1, i, "unit"
        else:
            return None
    else:
        value, j, kind = small
    quantity = False
    if j < len(words) and words[j] == "hundred":
        value, j = _tail(words, j + 1, value * 100, 99)
        quantity = True
    if j < len(words) and words[j] == "thousand" and value <= 999:
        value, j = _tail(words, j + 1, value * 1000, 999)
        quantity = True
    if kind == "unit" and not quantity:
        return None
    return str(value), j, quantity


def read_ordinal(words: list[str], i: int) -> tuple[int, int] | None:
    """An ordinal day such as "third" or "twenty third" at words[i]: (value, next index)."""
    w = words[i] if i < len(words) else ""
    if w in ORDINAL_WORDS:
        return ORDINAL_WORDS[w], i + 1
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if w in TENS and nxt in ORDINAL_UNITS:
        return TENS[w] + ORDINAL_UNITS[nxt], i + 2
    return None
