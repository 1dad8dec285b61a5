"""Spoken letters: NATO/ICAO words, letter names and the words recognisers write for them."""

from __future__ import annotations

from .numbers import DIGIT_HOMOPHONES, NUMBER_WORDS

NATO = {
    "alfa": "A", "alpha": "A", "bravo": "B", "charlie": "C", "charly": "C",
    "delta": "D", "echo": "E", "foxtrot": "F", "golf": "G", "hotel": "H",
    "india": "I", "juliett": "J", "juliet": "J", "juliette": "J", "kilo": "K",
    "lima": "L", "mike": "M", "november": "N", "oscar": "O", "papa": "P",
    "quebec": "Q", "romeo": "R", "sierra": "S", "tango": "T", "uniform": "U",
    "victor": "V", "whiskey": "W", "whisky": "W", "xray": "X", "yankee": "Y",
    "zulu": "Z",
}
# Hyphens split "x-ray" and "fox-trot" into two tokens; they are still one letter.
NATO_PAIRS = {("x", "ray"): "X", ("ex", "ray"): "X", ("fox", "trot"): "F"}

# Spellings that only ever mean the letter.
LETTER_NAMES = {
    "ay": "A", "bee": "B", "cee": "C", "dee": "D", "ee": "E", "eff": "F", "ef": "F",
    "gee": "G", "aitch": "H", "haitch": "H", "jay": "J", "kay": "K", "el": "L",
    "ell": "L", "em": "M", "en": "N", "pee": "P", "cue": "Q", "ar": "R", "ess": "S",
    "tee": "T", "vee": "V", "ex": "X", "wye": "Y", "zed": "Z", "zee": "Z",
}

# Ordinary English words a recogniser writes for a letter name. Using one is a repair;
# dropping one at the start or end of an answer is just ignoring chatter.
LETTER_HOMOPHONES = {
    "a": "A", "be": "B", "see": "C", "sea": "C", "i": "I", "eye": "I", "pea": "P",
    "queue": "Q", "are": "R", "tea": "T", "you": "U", "why": "Y", "oh": "O",
    "o": "O", "owe": "O",
}

# Of those, the ones callers also say as chatter around an answer ("a", "I", "oh", "you
# know"): at the start or end of an utterance they are more likely chatter than a letter.
CHATTY = frozenset({"a", "i", "oh", "o", "owe", "you", "are", "be", "why"})

# "B as in boy", "B for boy", "B like boy": the example word is heard far more reliably
# than the letter name (B, D, P, T, V and E are notoriously confused on phone lines).
SPELLING_LINKS = (("as", "in", "the", "word"), ("as", "in"), ("for",), ("like",))
# Words that follow "for"/"like" without being an example: "B for the ...", "for it".
_NOT_EXAMPLES = frozenset("in the a an and is it of to me my word well".split())


def letter_of(word: str) -> str | None:
    """The letter a single spoken word certainly names ("bravo", "bee"), else None."""
    return NATO.get(word) or LETTER_NAMES.get(word)


def example_letter(word: str) -> str | None:
    """The letter an example word stands for in "B as in <word>", or None if it cannot."""
    if word in NATO:
        return NATO[word]
    if len(word) < 2 or not word.isascii() or not word.isalpha():
        return None
    if word in NUMBER_WORDS or word in DIGIT_HOMOPHONES or word in _NOT_EXAMPLES:
        return None
    return word[0].upper()


def spelled_letter(words: list[str], i: int) -> tuple[str, int] | None:
    """Read "as in boy" / "for boy" at words[i]: (letter, next index) or None."""
    for link in SPELLING_LINKS:
        end = i + len(link)
        if tuple(words[i:end]) == link and end < len(words):
            letter = example_letter(words[end])
            if letter is not None:
                return letter, end + 1
    return None
