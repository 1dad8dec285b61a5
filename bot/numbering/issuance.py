"""Issuing new numbers, pure: random serials under a prefix, check character appended.

Randomness is injected: tests pass random.Random(seed), production passes
random.SystemRandom() so numbers cannot be guessed from earlier ones. Storage (and the
uniqueness that only storage can promise) is the caller's, through `exclude`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container, Iterator
from typing import TYPE_CHECKING

from .errors import InvalidComponent, SerialSpaceExhausted

if TYPE_CHECKING:
    from .scheme import Scheme

__all__ = ["generate", "generate_many", "capacity"]

# Give up after this many draws in a row that were all taken: the range is nearly full,
# and a human has to open a new prefix; looping on would hang issuance.
MAX_CONSECUTIVE_COLLISIONS = 1000


def generate(scheme: Scheme, prefix: str | None, rng: random.Random) -> str:
    """A valid number of `scheme` under `prefix` with a random serial."""
    parts = []
    for segment in scheme.segments:
        if segment.kind == "prefix":
            if prefix not in scheme.prefixes:
                raise InvalidComponent(
                    f"{prefix!r} is not a prefix of {scheme.name}",
                    prefix=prefix,
                    expected=sorted(scheme.prefixes),
                )
            parts.append(prefix)
        elif segment.kind == "serial":
            parts.append("".join(rng.choices(segment.chars, k=segment.length)))
    if scheme.prefix_segment is None and prefix is not None:
        raise InvalidComponent(f"{scheme.name} has no prefix", prefix=prefix, expected=[])
    payload = "".join(parts)
    return payload + scheme.algorithm.calc_check(payload)


def capacity(scheme: Scheme) -> int:
    """How many different numbers one prefix can hold."""
    total = 1
    for segment in scheme.segments:
        if segment.kind == "serial":
            total *= len(segment.chars) ** segment.length
    return total


def generate_many(
    scheme: Scheme,
    prefix: str | None,
    count: int,
    rng: random.Random,
    exclude: Callable[[str], bool] | Container[str] = frozenset(),
) -> Iterator[str]:
    """Yield `count` distinct new numbers, skipping those `exclude` contains (or says True to)."""
    if count > capacity(scheme):
        raise SerialSpaceExhausted(f"{scheme.name} holds {capacity(scheme)} numbers per prefix, asked for {count}")
    taken = exclude if callable(exclude) else exclude.__contains__
    seen: set[str] = set()
    collisions = 0
    while len(seen) < count:
        number = generate(scheme, prefix, rng)
        if number in seen or taken(number):
            collisions += 1
            if collisions >= MAX_CONSECUTIVE_COLLISIONS:
                raise SerialSpaceExhausted(
                    f"{MAX_CONSECUTIVE_COLLISIONS} draws in a row under {prefix!r} were taken after {len(seen)} new numbers"
                )
            continue
        collisions = 0
        seen.add(number)
        yield number
