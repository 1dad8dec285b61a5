"""Yes or no, as people actually say it: "yeah that's right", "nope", "that's not it".

Negated agreement ("not right", "that's not correct") is read before the single words,
so "right" inside it does not count as a yes. An utterance holding both a yes and a no
("yes no", "no that's right") is None: the engine asks again.
"""

from __future__ import annotations

import re
import unicodedata

from .text import normalise, too_long

_NO_PHRASES = (
    "not right", "not correct", "isn't right", "isn't correct", "is not right",
    "is not correct", "not quite", "that's wrong", "thats wrong", "not it", "isn't it",
    "not true", "don't think so", "do not think so", "i don't think so", "it is not",
    "it's not", "it isn't", "not really", "that isn't", "that's not",
)
_NOT_SURE = ("not sure", "don't know", "no idea", "not certain", "maybe")
_YES = frozenset(
    """yes yeah yeh yep yup ya yah aye correct right sure absolutely affirmative
    definitely exactly indeed certainly yess yesss uhhuh si claro vale correcto""".split()
)
_NO = frozenset("no nope nah naw nay wrong incorrect negative".split())
_YES_PHRASES = ("that's right", "that is right", "it is", "that's it", "that's correct",
                "that is correct", "uh huh", "of course", "you got it", "spot on")
_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")


def read_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when unclear or both.

    >>> read_yes_no("yeah that's right"), read_yes_no("no that's not right"), read_yes_no("yes no")
    (True, False, None)
    """
    if too_long(text):
        return None
    # Accents folded so the Spanish flow's "sí" reads like "si".
    folded = "".join(c for c in unicodedata.normalize("NFKD", normalise(text).lower()) if not unicodedata.combining(c))
    said = " " + " ".join(_WORDS.findall(folded)) + " "
    if any(f" {p} " in said for p in _NOT_SURE):
        return None
    polarity: set[bool] = set()
    for phrase in _NO_PHRASES:
        if f" {phrase} " in said:
            polarity.add(False)
            said = said.replace(f" {phrase} ", " ")
    for phrase in _YES_PHRASES:
        if f" {phrase} " in said:
            polarity.add(True)
            said = said.replace(f" {phrase} ", " ")
    for word in said.split():
        if word in _YES:
            polarity.add(True)
        elif word in _NO:
            polarity.add(False)
    return polarity.pop() if len(polarity) == 1 else None
