"""Read a string of digits and letters (customer numbers, references) from speech or text.

An utterance becomes a list of slots; each slot holds the alternative strings one stretch
of the utterance could mean ("for" is "4" or nothing, "oh" is "0", "O" or nothing). The
number's layout prunes the combinations, its check character (``accept``) chooses among
the survivors, and anything that needed interpretation is flagged so the engine reads it
back. The reader never picks silently between two valid numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .slots import Alt, Slot, parse_slots
from .spanish import spanish_numbers
from .text import too_long

__all__ = ["Reading", "LayoutError", "read_characters", "expand", "parse_slots", "check_layout"]


@dataclass(frozen=True)
class Reading:
    value: str | None            # the chosen compact string (upper-case 0-9A-Z) or None
    candidates: tuple[str, ...]  # every plausible reading, best first
    repaired: bool               # a homophone / "oh" / odd formatting had to be interpreted
    ambiguous: bool              # more than one candidate survived `accept`


class LayoutError(ValueError):
    """A layout that is not a non-empty string of 'D', 'A' and 'X' (at most 64 long)."""


_BEAM = 64
_MAX_CANDIDATES = 16
_MAX_SLOTS = 80  # far more characters than any reference; past it, refuse rather than guess
NOTHING = Reading(None, (), False, False)


def _fits(text: str, start: int, layout: str | None, digits_only: bool, alt: Alt) -> bool:
    if digits_only:
        return text[start:].isdigit() or not alt.text
    if layout is None:
        return not (alt.needs_digit_place or alt.needs_layout)
    if len(text) > len(layout):
        return False
    for k in range(start, len(text)):
        place, char = layout[k], text[k]
        if (place == "D" and not char.isdigit()) or (place == "A" and not char.isalpha()):
            return False
        if alt.needs_digit_place and place == "A":
            return False
    return True


def expand(slots: list[Slot], layout: str | None = None, *,
           digits_only: bool = False) -> list[tuple[str, float, bool]]:
    """Every combination of alternatives that fits, cheapest first: (text, cost, repaired).

    A beam over the slots keeps the work linear in the utterance; the layout prunes as it
    goes, so a ten-digit layout never carries an eleven-character partial reading.
    """
    if len(slots) > _MAX_SLOTS:
        return []
    states: dict[str, tuple[float, bool]] = {"": (0.0, False)}
    for slot in slots:
        following: dict[str, tuple[float, bool]] = {}
        for text, (cost, repaired) in states.items():
            for alt in slot:
                new = text + alt.text
                if not _fits(new, len(text), layout, digits_only, alt):
                    continue
                score = (cost + alt.cost, repaired or alt.repaired)
                if new not in following or score < following[new]:
                    following[new] = score
        states = dict(sorted(following.items(), key=lambda kv: (kv[1][0], kv[0]))[:_BEAM])
    done = [(t, c, r) for t, (c, r) in states.items() if t and (layout is None or len(t) == len(layout))]
    return sorted(done, key=lambda x: (x[1], x[0]))


def check_layout(layout: str | None) -> None:
    """Raise LayoutError unless layout is None or 1-64 of 'D', 'A', 'X'."""
    if layout is None:
        return
    if not isinstance(layout, str) or not 0 < len(layout) <= 64 or set(layout) - set("DAX"):
        raise LayoutError(f"layout must be 1-64 of D, A, X; got {layout!r}")


def _accepted(accept: Callable[[str], object] | None, value: str) -> bool:
    if accept is None:
        return True
    try:
        return bool(accept(value))
    except ValueError:  # stdnum's validate() raises where is_valid() returns False
        return False


def read_characters(text: str, *, layout: str | None = None,
                    accept: Callable[[str], bool] | None = None) -> Reading:
    """Read digits and letters; raises LayoutError only for a malformed layout.

    >>> read_characters("one oh two double five", layout="DDDDD")
    Reading(value='10255', candidates=('10255',), repaired=True, ambiguous=False)
    """
    check_layout(layout)
    if too_long(text):
        return NOTHING
    slots, flagged = parse_slots(spanish_numbers(text))
    found = expand(slots, layout)[:_MAX_CANDIDATES]
    good = [f for f in found if _accepted(accept, f[0])]
    rest = [f for f in found if f not in good]
    candidates = tuple(f[0] for f in good + rest)
    if not good:
        return Reading(None, candidates, flagged or any(f[2] for f in found), False)
    value, _, repaired = good[0]
    return Reading(value, candidates, flagged or repaired or len(found) > 1, len(good) > 1)
