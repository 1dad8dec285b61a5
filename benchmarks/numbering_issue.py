"""Rate of pure number issuance (no storage): 100,000 numbers of the default scheme.

Run: .venv/bin/python benchmarks/numbering_issue.py
"""

from __future__ import annotations

import random
import time

from bot.numbering import generate_many, load_schemes

COUNT = 100_000


def main() -> None:
    scheme = load_schemes().default
    prefix = sorted(scheme.prefixes)[0]
    # SystemRandom is what production passes (numbers must not be guessable);
    # a seeded Random is what tests use.
    for label, rng in (("random.SystemRandom()", random.SystemRandom()), ("random.Random(0)", random.Random(0))):
        started = time.perf_counter()
        numbers = set(generate_many(scheme, prefix, COUNT, rng))
        elapsed = time.perf_counter() - started
        assert len(numbers) == COUNT and all(scheme.is_valid(n) for n in list(numbers)[:1000])
        print(f"{scheme.name}: {COUNT:,} unique numbers with {label} in {elapsed:.2f} s = {COUNT / elapsed:,.0f} numbers/s")


if __name__ == "__main__":
    main()
