"""Email addresses typed in chat or spoken: "john dot smith at example dot com".

Syntax is checked with email-validator with deliverability off (its default does DNS
lookups, which a pure function must not). Addresses come back lower-cased.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from .letters import NATO
from .numbers import DIGIT_WORDS, MULTIPLIERS, read_cardinal
from .text import normalise, too_long

_SYMBOLS = {
    "at": "@", "dot": ".", "period": ".", "point": ".", "full stop": ".",
    "underscore": "_", "under score": "_", "dash": "-", "hyphen": "-", "minus": "-",
    "plus": "+", "at sign": "@", "at symbol": "@",
}
# Words that end the lead-in ("my email is ...") and words that follow the address
# ("... thanks"). Kept apart because "my" may be part of a domain ("my-company").
_LEAD_IN = frozenset(
    """is it's its email e-mail mail address my the um uh er erm yeah yes sure ok okay so
    that's it thanks please and then that""".split()
)
_TRAILER = frozenset("thanks thank please cheers all word no spaces that's and then ok okay".split())
_EDGES = "<>()[],;:\"'!?."
_MAX_ATS = 3  # the address is near the end; a long list of "at"s is not worth validating
_PIECE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[@._+\-]")
# Spoken spelling instructions, not part of the address: "capital J".
_DROP = frozenset("capital capitals uppercase upper lowercase lower small letter".split())


def _valid(address: str) -> str | None:
    address = address.strip(".").lower()
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except (EmailNotValidError, ValueError, UnicodeError):
        return None


def _spoken_pieces(text: str) -> list[str]:
    """Words and symbols, with spoken symbols, digits and NATO letters converted."""
    low = " ".join(_PIECE.findall(text.lower()))
    for phrase, symbol in sorted(_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        low = re.sub(rf"\b{phrase}\b", f" {symbol} ", low)
    pieces = low.split()
    out: list[str] = []
    i = 0
    while i < len(pieces):
        w = pieces[i]
        if w in _DROP:
            i += 1
            continue
        if w == "double" and pieces[i + 1:i + 2] in (["you"], ["u"]):
            out.append("w")
            i += 2
            continue
        cardinal = read_cardinal(pieces, i)
        if cardinal is not None:  # "eighty five" in "smith eighty five at ..."
            out.append(cardinal[0])
            i = cardinal[1]
            continue
        if w in MULTIPLIERS and i + 1 < len(pieces):
            nxt = DIGIT_WORDS.get(pieces[i + 1], pieces[i + 1])
            out.append(nxt[0] * MULTIPLIERS[w] + nxt[1:])  # "double t" in "matt"
            i += 2
            continue
        out.append(DIGIT_WORDS.get(w) or (NATO[w].lower() if w in NATO else w))
        i += 1
    return out


def _around(pieces: list[str], at: int) -> str:
    """The address around the @ at index `at`: back to the lead-in, on to the last label."""
    start = at
    while start > 0 and pieces[start - 1] not in _LEAD_IN:
        start -= 1
    end = at + 1
    while end < len(pieces) and pieces[end] not in _TRAILER and pieces[end] != "@":
        end += 1
    return "".join(pieces[start:at]) + "@" + "".join(pieces[at + 1:end])


def read_email(text: str) -> str | None:
    """A syntactically valid address from chat or speech, lower-cased; None otherwise.

    >>> read_email("my email is john dot smith at example dot com thanks")
    'john.smith@example.com'
    """
    if too_long(text):
        return None
    text = normalise(text)
    for typed in (w.strip(_EDGES) for w in text.split() if "@" in w):
        found = _valid(typed.removeprefix("mailto:"))
        if found:
            return found
    pieces = _spoken_pieces(text)
    ats = [k for k, p in enumerate(pieces) if p == "@"]
    # "I'm at home, it's jo at example dot com": try the last "at" first.
    for at in reversed(ats[-_MAX_ATS:]):
        found = _valid(_around(pieces, at))
        if found:
            return found
    return None
