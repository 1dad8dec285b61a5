"""Which department a caller asks for, from the synonyms the flow file lists.

Each synonym must be present in the utterance word by word, allowing typos in longer
words ("paymnet"), so "I want to pay my bill" finds "pay my bill". A whole-string ratio
would let a long sentence match whatever shares its filler words. Among the synonyms found,
the most specific wins: "someone used my card" (four words found) beats "card" (one), so a
department's longer phrases are never shadowed by another's single word. Two departments that
fit equally well are a tie, and a tie is None: the engine asks rather than guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
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


@lru_cache(maxsize=4096)
def _phrase(text: str) -> tuple[str, ...]:
    """A synonym's words: flows are few and fixed, so each is worked out once."""
    return tuple(_words(text))


def _word_score(word: str, heard: list[str]) -> float:
    if word in heard:
        return 100.0
    if len(word) <= _SHORT:
        return 0.0
    return max((fuzz.ratio(word, h) for h in heard if len(h) > _SHORT), default=0.0)


def synonym_score(text_words: list[str], synonym: str) -> float:
    """0-100: how well every word of the synonym appears among the words heard."""
    words = _phrase(synonym)
    if not words:
        return 0.0
    return min(_word_score(w, text_words) for w in words)


@dataclass(frozen=True)
class SynonymMatch:
    synonym: str
    words: int     # how many words the synonym has: more is more specific
    score: float   # 0-100: its worst-matching word

    @property
    def rank(self) -> tuple[int, float]:
        return self.words, self.score


@dataclass(frozen=True)
class Explanation:
    """How an utterance was read and scored against every department (`bot flows explain`)."""

    heard: list[str]                         # the words, lower-cased and stemmed
    best: dict[str, SynonymMatch | None]     # per department: its best synonym at or above the threshold
    closest: dict[str, SynonymMatch | None]  # per department: its best synonym by score, for the record
    choice: str | None
    reason: str
    threshold: float = 85
    ties: list[str] = field(default_factory=list)


def explain_intent(text: str, synonyms: Mapping[str, Sequence[str]], *, threshold: float = 85) -> Explanation:
    """Every department's best synonym for `text` and the decision, as plain data."""
    if not 0 <= threshold <= 100:
        raise IntentThresholdError(f"threshold is a 0-100 score, got {threshold!r}")
    if too_long(text):
        return Explanation([], {}, {}, None, "too long to read", threshold)
    heard = _words(text)
    if not heard:
        return Explanation([], {}, {}, None, "no words", threshold)
    best: dict[str, SynonymMatch | None] = {}
    closest: dict[str, SynonymMatch | None] = {}
    for department, phrases in synonyms.items():
        names = [p for p in (*phrases, department.replace("_", " ")) if isinstance(p, str) and _phrase(p)]
        matches = [SynonymMatch(p, len(_phrase(p)), synonym_score(heard, p)) for p in names]
        closest[department] = max(matches, key=lambda m: m.score, default=None)
        found = [m for m in matches if m.score >= threshold]
        best[department] = max(found, key=lambda m: m.rank, default=None)
    ranked = sorted((m.rank, d) for d, m in best.items() if m is not None)
    if not ranked:
        return Explanation(heard, best, closest, None, f"no synonym scores {threshold:g} or more", threshold)
    top = ranked[-1][0]
    winners = [d for rank, d in ranked if rank == top]
    if len(winners) > 1:
        return Explanation(heard, best, closest, None, "a tie between " + " and ".join(sorted(winners)), threshold,
                           sorted(winners))
    return Explanation(heard, best, closest, winners[0], f"the most specific match ({best[winners[0]].synonym!r})",
                       threshold)


def match_intent(text: str, synonyms: Mapping[str, Sequence[str]], *, threshold: float = 85) -> str | None:
    """The department whose synonyms best fit the text, or None when unclear or tied.

    >>> match_intent("I want to pay my bill", {"billing": ["pay my bill"], "sales": ["buy"]})
    'billing'
    >>> match_intent("someone used my card", {"cards": ["card"], "fraud": ["someone used my card"]})
    'fraud'
    """
    return explain_intent(text, synonyms, threshold=threshold).choice
