"""Which department a caller asks for, from the synonyms the flow file lists.

Each synonym must be present in the utterance word by word, allowing typos in longer
words ("paymnet"), so "I want to pay my bill" finds "pay my bill". A whole-string ratio
would let a long sentence match whatever shares its filler words. Two departments that fit
equally well are a tie, and a tie is None: the engine asks rather than guesses.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from rapidfuzz import fuzz, utils

from .text import too_long

_SHORT = 3  # words this short must match exactly: "bill" vs "bull" is not a typo


class IntentThresholdError(ValueError):
    """A threshold outside 0..100 (rapidfuzz scores)."""


def _stem(word: str) -> str:
    """Just enough stemming that "bills", "billing" and "billed" meet "bill"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in utils.default_process(text).split()]


def _word_score(word: str, heard: list[str]) -> float:
    if word in heard:
        return 100.0
    if len(word) <= _SHORT:
        return 0.0
    return max((fuzz.ratio(word, h) for h in heard if len(h) > _SHORT), default=0.0)


def synonym_score(text_words: list[str], synonym: str) -> float:
    """0-100: how well every word of the synonym appears among the words heard."""
    words = _words(synonym)
    if not words:
        return 0.0
    return min(_word_score(w, text_words) for w in words)


def match_intent(text: str, synonyms: Mapping[str, Sequence[str]], *, threshold: float = 85) -> str | None:
    """The department whose synonyms best fit the text, or None when unclear or tied.

    >>> match_intent("I want to pay my bill", {"billing": ["pay my bill"], "sales": ["buy"]})
    'billing'
    """
    if not 0 <= threshold <= 100:
        raise IntentThresholdError(f"threshold is a 0-100 score, got {threshold!r}")
    if too_long(text):
        return None
    heard = _words(text)
    if not heard:
        return None
    scores: dict[str, float] = {}
    for department, phrases in synonyms.items():
        names = [*phrases, department.replace("_", " ")]
        scores[department] = max(synonym_score(heard, p) for p in names if isinstance(p, str))
    best = max(scores.values(), default=0.0)
    if best < threshold:
        return None
    winners = [d for d, s in scores.items() if s == best]
    return winners[0] if len(winners) == 1 else None
