"""A caller saying they do not have their customer number, in English or Spanish: at the number
question this starts recovering it rather than being read as a (bad) number or a plea for help.

>>> says_number_unknown("I don't know my customer number")
True
>>> says_number_unknown("I've lost it, sorry")
True
>>> says_number_unknown("what's my account number?")
True
>>> says_number_unknown("No sé mi número de cliente")
True
>>> says_number_unknown("no lo tengo")
True
>>> says_number_unknown("my number is 1023456781")
False
>>> says_number_unknown("I know it, one oh two three")
False
"""
from __future__ import annotations

import re
import unicodedata

from .text import normalise, too_long

_EN = (
    r"\b(?:i )?(?:do ?n'?t|do not|dont|don't|can'?t|cannot|can not) (?:know|have|remember|recall|find|see|get)\b",
    r"\b(?:i )?(?:have ?n'?t|haven't|have not) (?:got|a clue)\b",
    r"\bforg[oe]t+(?:en)?\b", r"\blost\b", r"\bno idea\b", r"\bnot sure\b", r"\bno clue\b",
    r"\bwhat(?:'s| is) my (?:customer |account |membership )?number\b",
    r"\bwhere (?:do i find|is|can i find) (?:my |the )?(?:customer |account )?number\b",
    r"\bneed (?:my )?(?:customer |account )?number\b",
)
_ES = (
    r"\bno (?:lo |la )?(?:se|sabemos|tengo|tenemos|encuentro|recuerdo|conozco)\b", r"\bno me (?:acuerdo|lo se)\b",
    r"\b(?:lo |la )?(?:he perdido|perdi)\b", r"\bolvid(?:e|ado|ó|o)\b", r"\bni idea\b",
    r"\bcual es mi numero\b", r"\bdonde (?:esta|encuentro) (?:mi|el) numero\b",
)
_PATTERNS = tuple(re.compile(p) for p in _EN + _ES)
_DIGIT_RUN = re.compile(r"\d{3,}")
_SPOKEN_DIGITS = re.compile(r"\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro"
                            r"|cinco|seis|siete|ocho|nueve)\b")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", normalise(text).lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).replace("’", "'").split())


def says_number_unknown(text: str) -> bool:
    if not text or too_long(text):
        return False
    plain = _plain(text)
    # A number in the same breath is an answer, not a request: "I know it, one oh two three".
    if _DIGIT_RUN.search(plain) or len(_SPOKEN_DIGITS.findall(plain)) >= 3:
        return False
    return any(pattern.search(plain) for pattern in _PATTERNS)
