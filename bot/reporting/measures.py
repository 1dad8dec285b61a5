"""A figure's name in a CSV/JSON column, its label on screen, and the one line that says what it counts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    key: str  # CSV and JSON column
    label: str  # table header (short enough for an 80-column terminal)
    definition: str

    def legend(self) -> str:
        return f"{self.label}: {self.definition}"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(part: int, whole: int) -> str:
    """12 of 40 -> '30%'; nothing of nothing -> '-' (never a made-up 0%)."""
    value = share(part, whole)
    if value is None:
        return "-"
    rounded = round(value * 100)
    # Never show 0% or 100% for a share that is neither.
    if rounded == 0 and part:
        return "<1%"
    if rounded == 100 and part != whole:
        return ">99%"
    return f"{rounded}%"


def seconds(value: float | None) -> str:
    """An average wait for reading: 62.4 -> '62 s', 185 -> '3 min 5 s'; none -> '-'."""
    if value is None:
        return "-"
    whole = round(value)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60} s"
