"""The demo customers `make run` loads, so a first call has someone to be."""
from __future__ import annotations

import csv
from pathlib import Path

DEMO_CSV = Path(__file__).resolve().parents[1] / "data" / "demo_customers.csv"


def demo_customers(limit: int = 2) -> list[dict[str, str]]:
    with DEMO_CSV.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("status", "active") == "active"]
    return rows[:limit]
