"""How many typing and hearing errors a scheme (or a bare algorithm) catches.

For each valid number in a sample, every error of each kind is made and checked: a
measurement, not an estimate from theory. Substituted characters come from what the
position allows (a digit for a digit), since a letter in a digit position is caught by
the layout and says nothing about the check.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .algorithms import get_algorithm
from .characters import ALPHANUMERIC, DIGITS
from .issuance import generate

if TYPE_CHECKING:
    from .scheme import Scheme

__all__ = ["KINDS", "KEYPAD_NEIGHBOURS", "Row", "analyze", "analyze_algorithm", "errors_of"]

KINDS = (
    "single substitution",
    "adjacent transposition",
    "twin error aa->bb",
    "jump transposition abc->cba",
    "keypad neighbour slip",
)

# 1 2 3 / 4 5 6 / 7 8 9 / * 0 #: keys sharing an edge. A finger landing one key off;
# '*' and '#' are left out because they are not digits and the layout rejects them.
KEYPAD_NEIGHBOURS = {
    "1": "24", "2": "135", "3": "26",
    "4": "157", "5": "2468", "6": "359",
    "7": "48", "8": "5790", "9": "68",
    "0": "8",
}  # fmt: skip

DEFAULT_SAMPLE = 1000


@dataclass(frozen=True)
class Row:
    """Errors of one kind: how many were detected out of how many made, on `numbers` numbers."""

    kind: str
    detected: int
    total: int
    numbers: int

    @property
    def share(self) -> float:
        """Detected / total (1.0 when no error of this kind could be made)."""
        return self.detected / self.total if self.total else 1.0


def errors_of(number: str, positions: Sequence[str]) -> dict[str, list[str]]:
    """Every erroneous variant of `number`, by kind (positions[i]: allowed characters)."""
    n = len(number)
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    substitution, adjacent, twin, jump, keypad = found.values()
    for i, char in enumerate(number):
        head, tail = number[:i], number[i + 1 :]
        substitution.extend(head + other + tail for other in positions[i] if other != char)
        keypad.extend(head + other + tail for other in KEYPAD_NEIGHBOURS.get(char, "") if other in positions[i])
        if i + 1 < n:
            after = number[i + 1]
            if after != char:
                adjacent.append(head + after + char + number[i + 2 :])
            else:
                shared = set(positions[i]) & set(positions[i + 1])
                twin.extend(head + other * 2 + number[i + 2 :] for other in sorted(shared) if other != char)
        if i + 2 < n and number[i + 2] != char:
            jump.append(head + number[i + 2] + number[i + 1] + char + number[i + 3 :])
    return found


def _measure(numbers: Iterable[str], positions: Sequence[str], accepts: Callable[[str], bool]) -> list[Row]:
    detected = dict.fromkeys(KINDS, 0)
    total = dict.fromkeys(KINDS, 0)
    count = 0
    for number in numbers:
        count += 1
        for kind, variants in errors_of(number, positions).items():
            total[kind] += len(variants)
            detected[kind] += sum(1 for variant in variants if not accepts(variant))
    return [Row(kind, detected[kind], total[kind], count) for kind in KINDS]


def analyze(
    scheme: Scheme,
    *,
    sample: int | None = None,
    rng: random.Random | None = None,
    check_only: bool = False,
) -> list[Row]:
    """Share of errors detected on `sample` random valid numbers of `scheme`.

    By default an error counts as detected when the scheme rejects it for any reason
    (layout, unknown prefix, check); with check_only=True only the check algorithm counts.
    """
    rng = rng or random.Random(0)
    codes = sorted(scheme.prefixes) or [None]
    numbers = [generate(scheme, rng.choice(codes), rng) for _ in range(sample or DEFAULT_SAMPLE)]
    accepts = scheme.algorithm.is_valid if check_only else scheme.accepts
    return _measure(numbers, scheme.positions, accepts)


def analyze_algorithm(
    name: str,
    *,
    length: int = 8,
    sample: int | None = None,
    rng: random.Random | None = None,
) -> list[Row]:
    """Share of errors a bare algorithm detects on random `length`-character payloads
    drawn from the alphabet it was designed for (digits, or 0-9 and A-Z)."""
    algorithm = get_algorithm(name)
    rng = rng or random.Random(0)
    alphabet = DIGITS if algorithm.native == "digits" else ALPHANUMERIC
    positions = [alphabet] * length + [algorithm.check_chars] * algorithm.check_length
    payloads = ("".join(rng.choices(alphabet, k=length)) for _ in range(sample or DEFAULT_SAMPLE))
    numbers = [payload + algorithm.calc_check(payload) for payload in payloads]
    return _measure(numbers, positions, algorithm.is_valid)
