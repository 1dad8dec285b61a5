"""Share of typing/hearing errors each built-in check algorithm detects, as a markdown table.

Every error of each kind is made on random payloads and checked (see
bot/numbering/analysis.py). Run: .venv/bin/python benchmarks/numbering_analyze.py
"""

from __future__ import annotations

import random
import time

from bot.numbering import ALGORITHMS, analyze, analyze_algorithm, load_schemes
from bot.numbering.analysis import KINDS

SAMPLE = 2000
LENGTH = 8


def percent(share: float) -> str:
    return "100%" if share == 1 else f"{100 * share:.2f}%"


def main() -> None:
    started = time.perf_counter()
    print(f"Share of errors DETECTED; {SAMPLE:,} random {LENGTH}-character payloads per algorithm,")
    print("every error of each kind made on each (random.Random(0)).\n")
    print("| algorithm | check chars | " + " | ".join(KINDS) + " |")
    print("|---|---|" + "---|" * len(KINDS))
    for name, algorithm in ALGORITHMS.items():
        rows = analyze_algorithm(name, length=LENGTH, sample=SAMPLE, rng=random.Random(0))
        native = "0123456789" if algorithm.native == "digits" else "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        extra = "".join(sorted(set(algorithm.check_chars) - set(native)))
        chars = f"{algorithm.check_length} x {'0-9' if algorithm.native == 'digits' else '0-9A-Z'}"
        chars += f" + {extra!r}" if extra else ""
        print(f"| {algorithm.label} (`{name}`) | {chars} | " + " | ".join(percent(r.share) for r in rows) + " |")
    scheme = load_schemes().default
    rows = analyze(scheme, sample=SAMPLE, rng=random.Random(0))
    print(f"\nDefault scheme `{scheme.name}` ({scheme.length} digits, prefix table + {scheme.algorithm.name}),")
    print(f"{SAMPLE:,} valid numbers, rejected for any reason (layout, unknown prefix, check):\n")
    print("| error | detected | total | share |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.kind} | {row.detected:,} | {row.total:,} | {percent(row.share)} |")
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
