"""An utterance as slots: for each stretch of it, the strings it could stand for.

"one" is certainly "1"; "for" is "4" or nothing; "oh" is "0", "O" or an interjection;
"B as in boy" is "B". Costs rank the alternatives and flags say which ones are repairs;
the characters reader combines the slots under a layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .letters import CHATTY, LETTER_HOMOPHONES, NATO_PAIRS, letter_of, spelled_letter
from .numbers import DIGIT_HOMOPHONES, DIGIT_WORDS, MULTIPLIERS, OH_WORDS, TENS, read_cardinal
from .text import CORRECTIONS, FILLERS, INFINITIVE_VERBS, is_ascii_alnum, is_ascii_digits
from .text import tokens as split_tokens


@dataclass(frozen=True)
class Alt:
    text: str
    cost: float
    repaired: bool
    needs_digit_place: bool = False  # "oh" as 0: only where the layout allows a digit
    edge_quiet: bool = False         # a drop that is chatter at the ends, a repair inside
    needs_layout: bool = False       # only a layout can justify it ("oh" between digits as O)


Slot = tuple[Alt, ...]
_GAP, _CORRECTION = "gap", "correction"

# Twilio formats digit strings as money, times and decimals ("$4.56", "4:56"): the digits
# are right, but the shape shows the recogniser guessed, so the reading is a repair.
_ODD_FORMAT = re.compile(r"\$(?=\d)|(?<=\d)[:.](?=\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def _exact(text: str) -> Slot:
    return (Alt(text, 0.0, False),)


def _oh() -> Slot:
    return (
        Alt("0", 0.5, True, needs_digit_place=True),
        Alt("O", 0.75, True),
        Alt("", 1.0, True, edge_quiet=True),
    )


def _typed(token: str) -> Slot:
    text = token.upper()
    if "O" in text and any(c.isdigit() for c in text):
        # "1O23..." typed with a letter O among digits.
        return (Alt(text, 0.0, False), Alt(text.replace("O", "0"), 1.0, True, needs_layout=True))
    return _exact(text)


def _unit(raw: list[str], low: list[str], i: int) -> tuple[object, int]:
    """One slot (or None for a filler, _GAP, _CORRECTION) from the tokens at i."""
    r, w = raw[i], low[i]
    if is_ascii_digits(r):
        return _exact(r), i + 1
    if is_ascii_alnum(r) and not r.isalpha():
        return _typed(r), i + 1
    if tuple(low[i:i + 2]) in NATO_PAIRS:
        return _exact(NATO_PAIRS[tuple(low[i:i + 2])]), i + 2
    cardinal = read_cardinal(low, i)
    if cardinal is not None:
        digits, j, quantity = cardinal
        if j == i + 2 and low[i] in TENS and low[i + 1] in DIGIT_WORDS:
            # "sixty one" is 61, or 60 then 1 when the caller reads pairs and a single.
            return (Alt(digits, 0.0, False), Alt(f"{TENS[low[i]]}{DIGIT_WORDS[low[i + 1]]}", 1.0, True)), j
        return (Alt(digits, 0.5 if quantity else 0.0, quantity),), j
    if w in DIGIT_WORDS:
        return _exact(DIGIT_WORDS[w]), i + 1
    letter = letter_of(w)
    if letter is not None:
        return _exact(letter), i + 1
    if r == "O":
        return (Alt("O", 0.0, False), Alt("0", 1.0, True, needs_digit_place=True)), i + 1
    if w in OH_WORDS:
        return _oh(), i + 1
    if w in DIGIT_HOMOPHONES:
        if w == "to" and i > 0 and low[i - 1] in INFINITIVE_VERBS:
            return None, i + 1
        return (Alt(DIGIT_HOMOPHONES[w], 0.75, True), Alt("", 1.0, True)), i + 1
    if len(r) == 1 and r.isascii() and r.isupper() and r != "I":
        return _exact(r), i + 1
    if w in LETTER_HOMOPHONES:
        if _pronoun_or_phrase(low, i):
            return None, i + 1
        letter_cost, drop_cost = (1.0, 0.5) if w in CHATTY else (0.5, 1.0)
        return (Alt(LETTER_HOMOPHONES[w], letter_cost, True),
                Alt("", drop_cost, True, edge_quiet=True)), i + 1
    if len(r) == 1 and r.isascii() and r.isalpha():
        return _exact(r.upper()), i + 1
    if w in FILLERS:
        return None, i + 1
    if w in CORRECTIONS:
        return _CORRECTION, i + 1
    if r.isascii() and r.isalpha() and r.isupper() and len(r) <= 4:
        return (Alt(r, 0.5, False), Alt("", 1.0, True, edge_quiet=True)), i + 1
    return _GAP, i + 1


def _pronoun_or_phrase(low: list[str], i: int) -> bool:
    """ "I think ...", "thank you", "you know": the letter word is part of a phrase."""
    after = low[i + 1] if i + 1 < len(low) else ""
    if low[i] == "i" and len(after) > 1 and after.isalpha():
        return not (letter_of(after) or after in LETTER_HOMOPHONES or after in DIGIT_WORDS
                    or after in DIGIT_HOMOPHONES or after in ("as", "for", "like"))
    before = low[i - 1] if i > 0 else ""
    return (before, low[i]) in _PHRASES or (low[i], after) in _PHRASES


_PHRASES = frozenset({("thank", "you"), ("you", "know"), ("see", "you"), ("are", "you"),
                      ("you", "are"), ("can", "you"), ("do", "you"), ("if", "you")})


def _multiplied(raw: list[str], low: list[str], i: int, times: int) -> tuple[object, int]:
    if low[i + 1:i + 2] in (["you"], ["u"]):
        return _exact("W"), i + 2  # "double you" is W, not UU
    if i + 1 >= len(low):
        return _GAP, i + 1
    slot, j = _unit(raw, low, i + 1)
    if not isinstance(slot, tuple):
        return _GAP, i + 1
    alts = tuple(
        Alt(a.text[0] * times + a.text[1:], a.cost, a.repaired, a.needs_digit_place)
        for a in slot if a.text
    )
    return (alts or _GAP), j


def _spelled(slot: Slot, low: list[str], j: int) -> tuple[Slot, int] | None:
    """Replace a letter slot followed by "as in boy" with the example word's letter."""
    heard = {a.text for a in slot if len(a.text) == 1 and a.text.isalpha()}
    found = spelled_letter(low, j) if heard else None
    if found is None:
        return None
    letter, end = found
    return (Alt(letter, 0.0, letter not in heard),), end


def _items(text: str) -> tuple[list[object], bool]:
    flagged = bool(_ODD_FORMAT.search(text))
    text = _THOUSANDS.sub("", _ODD_FORMAT.sub("", text))
    raw = split_tokens(text)
    low = [t.lower() for t in raw]
    items: list[object] = []
    i = 0
    while i < len(raw):
        if low[i] in MULTIPLIERS:
            item, i = _multiplied(raw, low, i, MULTIPLIERS[low[i]])
        elif low[i] == "as" and (example := spelled_letter(low, i)) is not None:
            item, i = (Alt(example[0], 0.5, True),), example[1]  # the letter itself was not heard
        else:
            item, i = _unit(raw, low, i)
            if isinstance(item, tuple):
                spelled = _spelled(item, low, i)
                if spelled is not None:
                    item, i = spelled
        if item is not None:
            items.append(item)
    return items, flagged


def _after_correction(items: list[object]) -> tuple[list[object], bool]:
    """Keep what follows the caller's last "sorry"/"I mean"; drop it if nothing does."""
    marks = [k for k, it in enumerate(items) if it is _CORRECTION]
    if not marks:
        return items, False
    before = [it for it in items[:marks[-1]] if isinstance(it, tuple)]
    tail = items[marks[-1] + 1:]
    kept = tail if any(isinstance(it, tuple) for it in tail) else items[:marks[-1]]
    return [it for it in kept if it is not _CORRECTION], bool(before)


def _digitish(item: object) -> bool:
    return isinstance(item, tuple) and any(a.text.isdigit() for a in item)


def parse_slots(text: str) -> tuple[list[Slot], bool]:
    """The slots of an utterance, and whether its shape alone makes any reading a repair."""
    items, flagged = _items(text)
    items, corrected = _after_correction(items)
    certain = [k for k, it in enumerate(items) if isinstance(it, tuple) and all(a.text for a in it)]
    first, last = (certain[0], certain[-1]) if certain else (len(items), -1)
    slots: list[Slot] = []
    for k, item in enumerate(items):
        if not isinstance(item, tuple):
            flagged |= first < k < last  # an unknown word inside the number hides something
            continue
        inside = first < k < last
        between_digits = 0 < k < len(items) - 1 and _digitish(items[k - 1]) and _digitish(items[k + 1])
        slots.append(tuple(_placed(a, inside, between_digits) for a in item))
    return slots, flagged or corrected


def _placed(alt: Alt, inside: bool, between_digits: bool) -> Alt:
    if alt.edge_quiet and not between_digits:
        return Alt("", alt.cost + 1.0 if inside else alt.cost, inside)
    if between_digits and alt.needs_digit_place:
        return Alt(alt.text, alt.cost, alt.repaired)  # "one oh two": 0 without a layout
    if between_digits and alt.text in ("O", ""):
        return Alt(alt.text, alt.cost + 1.0, True, needs_layout=True)
    return alt
