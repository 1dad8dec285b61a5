"""Does the name a caller gives match the name on file?

Whole-name fuzzy ratios are unsafe: "John Smith" vs "Jane Smith" scores 80 while "John
Smith" vs "Jon Smyth" scores 84, so no single threshold separates them. First and last
names are compared separately: the first name by spelling (Jaro-Winkler) or nickname,
never by sound ("Jane" and "John" share a metaphone key); the surname by spelling or sound.
A name is a weak factor and never enough on its own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from nicknames import NickNamer
from rapidfuzz import utils
from rapidfuzz.distance import JaroWinkler

from .text import normalise, too_long

_TITLES = frozenset("mr mrs ms miss mx dr prof sir dame lady lord rev jr sr ii iii iv".split())
_LEAD_INS = ("my name is", "my names", "my name's", "name is", "this is", "it's", "it is",
             "i am", "i'm", "im", "yes", "yeah", "hi", "hello", "um", "uh", "er", "erm")


class ThresholdError(ValueError):
    """A similarity threshold outside 0..1 (Jaro-Winkler similarity, not a 0-100 score)."""


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()  # loads a 1 MB table: once, and only when a name is first compared


def _plain(text: str) -> str:
    """Lower case without accents or punctuation: "O'Brien-Zoë" -> "obrien zoe"."""
    text = unicodedata.normalize("NFKD", normalise(text).lower())
    kept = []
    for ch in text:
        if ch.isalpha():
            kept.append(ch)
        elif ch in " -\t\n,":
            kept.append(" " if ch != "-" else "-")
    return "".join(kept)


def name_parts(text: str) -> list[str]:
    """The words of a name without lead-ins and titles: "It's Mr Jon Smyth" -> [jon, smyth]."""
    plain = " " + _plain(text).replace("-", "- ").strip() + " "
    for lead in _LEAD_INS:
        key = " " + _plain(lead) + " "
        if plain.startswith(key):
            plain = " " + plain[len(key):]
    parts = [p for p in plain.split() if p.rstrip("-") and p.rstrip("-") not in _TITLES]
    # Re-join hyphenated names ("smith- jones" -> "smith-jones").
    joined: list[str] = []
    for p in parts:
        if joined and joined[-1].endswith("-"):
            joined[-1] += p
        else:
            joined.append(p)
    return [p.strip("-") for p in joined if p.strip("-")]


def _similar(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(a, b, processor=utils.default_process)


# Given names in their own right that nickname tables also list as short forms of another name
# (the table has Emma under Emily, Jack under John). Two of these are two people: a nickname link
# between them is never accepted, only a spelling variant ("Ema"). Diminutives such as Bob, Bill,
# Kate or Liz are not here, so they still match the full name on file.
STANDALONE_GIVEN_NAMES = frozenset("""
emma emily amelia ella anna amy molly polly sally nancy ellie millie lily evie effie hattie josie lottie
sadie maisie daisy rose rosie mia zoe isla ava grace lucy sophie sophia olivia chloe hannah holly
jessica jennifer jenny nell eleanor elena helen ellen elaine eliza elise louise lois alice alison
alexandra alexa amelie amber annie anne ann harriet henrietta margaret maria mary marie martha maud
jack john harry henry hal charles charlie alfie alfred archie arthur freddie frederick max maxwell
oliver olly ollie theo theodore leo leon leonard jacob james jamie jim george georgia harvey hugo
louis lewis luke lucas noah owen oscar ryan sean shane ian ivan evan eoin
""".split())


def _nicknames_agree(a: str, b: str) -> bool:
    if a != b and a in STANDALONE_GIVEN_NAMES and b in STANDALONE_GIVEN_NAMES:
        return False
    nn = _nicknamer()
    if b in nn.nicknames_of(a) or a in nn.nicknames_of(b):
        return True
    return bool(nn.canonicals_of(a) & nn.canonicals_of(b))  # Bobby and Rob: both Robert


def _vowel_groups(name: str) -> tuple[str, ...]:
    """The vowel sounds of a spelling: (e, i) for Eric, (e, i, a) for Erica.

    Jaro-Winkler rewards a shared start, so Eric/Erica, Paul/Paula, Michael/Michelle and
    Smith/Smithers all score above 0.90. Spelling variants of one name keep their vowel
    sounds (Jon/John, Sara/Sarah, Steven/Stephen, Smith/Smyth); different names do not.
    """
    s = re.sub(r"(.)\1+", r"\1", name)  # Aaron/Aron, Matthew/Mathew
    if len(s) > 2 and s.endswith("e") and s[-2] not in "aeiouy":
        s = s[:-1]  # a silent final e: Ann/Anne, Danielle/Daniel
    return tuple(re.findall(r"[aeiou]+", s.replace("y", "i")))


def _spelt_alike(a: str, b: str, threshold: float) -> bool:
    return _similar(a, b) >= threshold and _vowel_groups(a) == _vowel_groups(b)


def _sound_alike(a: str, b: str) -> bool:
    key = jellyfish.metaphone(a)
    return len(key) >= 2 and key == jellyfish.metaphone(b)


def first_names_match(given: str, on_file: str, threshold: float = 0.90) -> bool:
    a, b = given.replace("-", ""), on_file.replace("-", "")
    if len(a) < 2 or len(b) < 2:  # an initial says too little
        return False
    if a == b or _nicknames_agree(a, b) or _spelt_alike(a, b, threshold):
        return True
    # Steven/Stephen sound the same; Jane/John share a metaphone key but not their vowels.
    return _sound_alike(a, b) and _vowel_groups(a) == _vowel_groups(b)


def surnames_match(given: str, on_file: str, threshold: float = 0.92) -> bool:
    a, b = given.replace("-", ""), on_file.replace("-", "")
    if len(a) < 2 or len(b) < 2:
        return False
    return a == b or _spelt_alike(a, b, threshold) or _sound_alike(a, b)


def _surname_forms(parts: list[str]) -> set[str]:
    # "Mary Smith-Jones" may say "Smith Jones" or just "Jones"; "Mary Ann Smith" "Smith".
    last = parts[-1]
    return {last, *last.split("-"), "".join(parts[1:])}


def names_match(given: str, on_file: str, *, first_threshold: float = 0.90,
                last_threshold: float = 0.92) -> bool:
    """True when both the first name and the surname match; False on any doubt."""
    for t in (first_threshold, last_threshold):
        if not 0.0 <= t <= 1.0:
            raise ThresholdError(f"thresholds are 0..1 similarities, got {t!r}")
    if too_long(given) or too_long(on_file):
        return False
    g, f = name_parts(given), name_parts(on_file)
    if len(g) < 2 or len(f) < 2:
        return False  # a single word could be either name: ask for the full name
    if not first_names_match(g[0], f[0], first_threshold):
        return False
    return any(surnames_match(a, b, last_threshold)
               for a in _surname_forms(g) for b in _surname_forms(f))
