"""Dates (of birth) from the keypad, from speech and from chat.

Number words are converted first, then the parts are read strictly: a missing day is
"incomplete", never invented (dateutil's fuzzy mode invents one); ISO dates are always
year first; when day and month can be read both ways the reading says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .numbers import DIGIT_WORDS, OH_WORDS, read_cardinal, read_ordinal
from .spanish import spanish_numbers
from .text import normalise, too_long

OLDEST = 125  # years; an older date of birth is a mis-hearing, not a customer
_MAX_PARTS = 16  # "oh three oh three one nine eight five" is 8; more is not one date


@dataclass(frozen=True)
class DateReading:
    value: date | None
    ambiguous: bool                 # e.g. 03/04/85 could be 3 April or 4 March
    alternatives: tuple[date, ...]  # the other valid readings, when ambiguous
    error: str | None               # None, "future", "impossible", "unreadable", "incomplete"


class DateLayoutError(ValueError):
    """A keypad layout other than DDMMYYYY, MMDDYYYY or YYYYMMDD."""


MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    # Spanish, for callers of the Spanish flow ("3 de marzo de 1985"; "de" is skipped).
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
_PART = re.compile(r"[0-9]+(?:st|nd|rd|th)\b|[0-9]+|[a-z]+")
_KEYPAD = {"DDMMYYYY": (0, 2, 4), "MMDDYYYY": (2, 0, 4), "YYYYMMDD": (6, 4, 0)}


@dataclass(frozen=True)
class _Tok:
    kind: str      # "num", "ord" or "month"
    digits: str    # the number; for a month, its number
    single: bool   # one digit: may join its neighbours ("oh three" is 03)
    spoken: bool   # number words: "nineteen" + "eighty five" may join into a year


def _tokens(text: str) -> list[_Tok]:
    parts = _PART.findall(normalise(text).lower())
    out: list[_Tok] = []
    i = 0
    while i < len(parts):
        p = parts[i]
        i += 1
        if p[0].isdigit():
            if p[-1].isalpha():
                out.append(_Tok("ord", str(int(p[:-2])), False, False))
            elif len(p) > 4:  # "03031985": digit by digit, the readings split it
                out.extend(_Tok("num", c, True, False) for c in p)
            else:
                out.append(_Tok("num", p, len(p) == 1, False))
        elif p in MONTHS:
            out.append(_Tok("month", str(MONTHS[p]), False, False))
        elif (ordinal := read_ordinal(parts, i - 1)) is not None:
            out.append(_Tok("ord", str(ordinal[0]), False, True))
            i = ordinal[1]
        elif (cardinal := read_cardinal(parts, i - 1)) is not None:
            out.append(_Tok("num", cardinal[0], False, True))
            i = cardinal[1]
        elif p in DIGIT_WORDS:
            out.append(_Tok("num", DIGIT_WORDS[p], True, True))
        elif p in OH_WORDS and i < len(parts) and (parts[i][0].isdigit() or parts[i] in DIGIT_WORDS):
            out.append(_Tok("num", "0", True, True))  # "oh three", not "oh, the third"
    return out


def _join(toks: list[_Tok]) -> tuple[str, bool] | None:
    """One date part from consecutive tokens: (digits, is_ordinal), or None if they can't join."""
    if not toks or any(t.kind == "month" for t in toks):
        return None
    if len(toks) == 1:
        return toks[0].digits, toks[0].kind == "ord"
    if any(t.kind == "ord" for t in toks):
        return None
    if all(t.single for t in toks):
        return "".join(t.digits for t in toks), False
    head, rest = toks[0], toks[1:]
    if head.spoken and len(head.digits) == 2 and head.digits[0] != "0" and (
        (len(rest) == 1 and rest[0].spoken and len(rest[0].digits) == 2)
        or (len(rest) == 2 and all(t.single for t in rest))
    ):  # "nineteen eighty five", "twenty twenty", "nineteen oh five"
        return "".join(t.digits for t in toks), False
    return None


def _day(part: tuple[str, bool] | None) -> int | None:
    if part is None or len(part[0]) > 2:
        return None
    return int(part[0]) if 1 <= int(part[0]) <= 31 else None


def _month(part: tuple[str, bool] | None) -> int | None:
    if part is None or len(part[0]) > 2:  # "the 3rd of the 11th" uses an ordinal month
        return None
    return int(part[0]) if 1 <= int(part[0]) <= 12 else None


def _year(part: tuple[str, bool] | None) -> str | None:
    if part is None or part[1] or len(part[0]) not in (2, 4):
        return None
    return part[0]


def _triples(toks: list[_Tok], day_first: bool) -> tuple[list[tuple[int, int, str]], bool]:
    """(day, month, year digits) readings in order of preference, and whether a year
    alone could explain the tokens after a month name (so a day would be invented)."""
    months = [k for k, t in enumerate(toks) if t.kind == "month"]
    if len(months) > 1:
        return [], False
    if months:
        k = months[0]
        month, before, after = int(toks[k].digits), toks[:k], toks[k + 1:]
        if before:
            d, y = _day(_join(before)), _year(_join(after))
            return ([(d, month, y)] if d and y else []), False
        splits = [(_day(_join(after[:c])), _year(_join(after[c:]))) for c in range(1, len(after))]
        whole = _year(_join(after))  # "March nineteen eighty five": a year, or day 19 of '85?
        return [(d, month, y) for d, y in splits if d and y], whole is not None and len(whole) == 4
    found: list[tuple[int, int, str]] = []
    n = len(toks)
    for a in range(1, n - 1):
        for b in range(a + 1, n):
            p1, p2, p3 = _join(toks[:a]), _join(toks[a:b]), _join(toks[b:])
            if p1 is not None and len(p1[0]) == 4 and not p1[1]:
                m, d = _month(p2), _day(p3)  # ISO: year first, whatever day_first says
                if m and d:
                    found.append((d, m, p1[0]))
                continue
            y = _year(p3)
            orders = [(p1, p2), (p2, p1)] if day_first else [(p2, p1), (p1, p2)]
            if p1 is not None and p2 is not None and (p1[1] or p2[1]):
                orders = [(p2, p1)] if p2[1] and not p1[1] else [(p1, p2)]  # the ordinal is the day
            for dp, mp in orders:
                d, m = _day(dp), _month(mp)
                if d and m and y:
                    found.append((d, m, y))
    return found, False


def _make(d: int, m: int, y: str, today: date) -> tuple[date | None, str | None]:
    year = int(y)
    if len(y) == 2:  # two-digit years are always in the past
        year = 2000 + year
        try:
            if date(year, m, d) > today:
                year -= 100
        except ValueError:
            year -= 100
    try:
        value = date(year, m, d)
    except ValueError:
        return None, "impossible"
    if value > today:
        return None, "future"
    if value.year < today.year - OLDEST:
        return None, "impossible"
    return value, None


def _decide(triples: list[tuple[int, int, str]], today: date, missing: str) -> DateReading:
    good: list[date] = []
    problems: set[str] = set()
    for d, m, y in triples:
        value, problem = _make(d, m, y, today)
        if value is not None and value not in good:
            good.append(value)
        elif problem:
            problems.add(problem)
    if good:
        return DateReading(good[0], len(good) > 1, tuple(good[1:]), None)
    error = "future" if "future" in problems else "impossible" if problems else missing
    return DateReading(None, False, (), error)


def read_date(text: str, *, day_first: bool = True, today: date | None = None) -> DateReading:
    """A date from speech or chat: "3rd of March 1985", "03/03/85", "1985-03-03"..."""
    today = today or date.today()
    if too_long(text):
        return DateReading(None, False, (), "unreadable")
    toks = _tokens(spanish_numbers(text))
    if not toks or len(toks) > _MAX_PARTS:
        return DateReading(None, False, (), "unreadable")
    triples, bare_year = _triples(toks, day_first)
    if bare_year:
        return DateReading(None, False, (), "incomplete")
    if not triples:
        return DateReading(None, False, (), _why_not(toks))
    return _decide(triples, today, "unreadable")


def _why_not(toks: list[_Tok]) -> str:
    """No full reading: say "impossible" for 30 February, "incomplete" for a missing part."""
    months = [t for t in toks if t.kind == "month"]
    days = [int(t.digits) for t in toks if t.kind != "month" and len(t.digits) <= 2]
    if len(months) == 1 and days and days[0] > _longest(int(months[0].digits)):
        return "impossible"
    rest = [t for t in toks if t.kind != "month"]
    if len(months) <= 1 and (len(rest) <= 2 or _year(_join(rest)) is not None):
        return "incomplete"
    if not months and len(rest) == 3 and all(len(t.digits) <= 2 for t in rest[:2]) \
            and _year(_join(rest[2:])) is not None:
        return "impossible"  # 13/13/1990: three parts, but no day and month fit them
    return "unreadable"


def _longest(month: int) -> int:
    return 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31


def read_keypad_date(digits: str, *, layout: str = "DDMMYYYY", today: date | None = None) -> DateReading:
    """Keys pressed for a date, read strictly in the announced layout."""
    if layout not in _KEYPAD:
        raise DateLayoutError(f"layout must be one of {sorted(_KEYPAD)}; got {layout!r}")
    today = today or date.today()
    keys = digits.strip() if isinstance(digits, str) else ""
    if not keys:
        return DateReading(None, False, (), "incomplete")
    if not keys.isascii() or not keys.isdigit():
        return DateReading(None, False, (), "unreadable")
    if len(keys) != 8:
        return DateReading(None, False, (), "incomplete" if len(keys) < 8 else "unreadable")
    d, m, y = _KEYPAD[layout]
    return _decide([(int(keys[d:d + 2]), int(keys[m:m + 2]), keys[y:y + 4])], today, "unreadable")
