"""Markdown tables for `bot numbers analyze`: what share of typing and hearing errors a scheme,
or each built-in check algorithm, detects. Measured on a stated random sample (every error
of each kind is made on every sampled number), so the figures are reproducible by seed."""
from __future__ import annotations

import random

from bot.numbering import ALGORITHMS, Scheme, analyze, analyze_algorithm
from bot.numbering.analysis import KINDS
from bot.numbering.characters import ALPHANUMERIC, DIGITS

PAYLOAD_LENGTH = 8


def percent(share: float) -> str:
    # "100%" only when nothing slipped through: 99.996% must not round up to it.
    if share == 1:
        return "100%"
    text = f"{100 * share:.2f}%"
    return "99.99%" if text == "100.00%" else text


def scheme_table(scheme: Scheme, *, sample: int, seed: int) -> str:
    """Detected share per error kind: by the whole scheme (layout, prefix table, check) and by the check alone."""
    rows = analyze(scheme, sample=sample, rng=random.Random(seed))
    check = analyze(scheme, sample=sample, rng=random.Random(seed), check_only=True)
    parts = [s.kind for s in scheme.segments if s.kind != "serial"]
    structure = " + ".join("prefix table" if p == "prefix" else scheme.algorithm.name for p in parts)
    lines = [
        f"Scheme `{scheme.name}` ({scheme.length} characters: {structure}); {sample:,} random valid numbers"
        f" (seed {seed}), every error of each kind made on each.",
        "",
        "| error | made | detected | share | check alone |",
        "|---|---|---|---|---|",
    ]
    for row, alone in zip(rows, check):
        lines.append(f"| {row.kind} | {row.total:,} | {row.detected:,} | {percent(row.share)} | {percent(alone.share)} |")
    return "\n".join(lines)


def algorithms_table(*, sample: int, seed: int) -> str:
    """Detected share per error kind for each built-in algorithm, on random 8-character payloads."""
    lines = [
        f"{sample:,} random {PAYLOAD_LENGTH}-character payloads per algorithm (seed {seed}),"
        " every error of each kind made on each.",
        "",
        "| algorithm | check characters | " + " | ".join(KINDS) + " |",
        "|---|---|" + "---|" * len(KINDS),
    ]
    for name, algorithm in ALGORITHMS.items():
        rows = analyze_algorithm(name, length=PAYLOAD_LENGTH, sample=sample, rng=random.Random(seed))
        digits = algorithm.native == "digits"
        extra = "".join(sorted(set(algorithm.check_chars) - set(DIGITS if digits else ALPHANUMERIC)))
        chars = f"{algorithm.check_length} x {'0-9' if digits else '0-9A-Z'}" + (f" + {extra!r}" if extra else "")
        lines.append(f"| {algorithm.label} (`{name}`) | {chars} | " + " | ".join(percent(r.share) for r in rows) + " |")
    return "\n".join(lines)
