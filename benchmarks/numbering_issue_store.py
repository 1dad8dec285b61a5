"""Rate of issuing numbers through the store: generated, checked unique against issued numbers
and customers, recorded, committed. The acceptance bar is 100,000 in under 10 s.

Run: .venv/bin/python benchmarks/numbering_issue_store.py [DATABASE_URL]
(default: a fresh SQLite file in a temporary folder; pass a PostgreSQL URL to measure that).
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.issuance import issue_numbers
from bot.numbering import load_schemes
from bot.store.db import get_engine, transaction
from bot.store.migrate import upgrade
from bot.store.models import IssuedNumber

COUNT = 100_000


def run(url: str) -> None:
    upgrade(url)
    scheme = load_schemes().default
    prefix = sorted(scheme.prefixes)[0]
    # Second round: the same again into a table that already holds the first 100,000.
    for round_ in ("empty store", f"{COUNT:,} already issued"):
        started = time.perf_counter()
        with transaction(url) as session:
            numbers = issue_numbers(session, scheme=scheme, prefix=prefix, count=COUNT, rng=random.SystemRandom())
        elapsed = time.perf_counter() - started
        assert len(set(numbers)) == COUNT and all(scheme.is_valid(n) for n in numbers)
        print(f"{scheme.name} {prefix}: {COUNT:,} numbers issued and committed ({round_}) in {elapsed:.2f} s"
              f" = {COUNT / elapsed:,.0f} numbers/s")
    with transaction(url) as session:
        rows = session.scalar(select(func.count()).select_from(IssuedNumber))
        distinct = session.scalar(select(func.count(func.distinct(IssuedNumber.number))))
    print(f"issued_numbers: {rows:,} rows, {distinct:,} distinct")
    get_engine(url).dispose()


def main() -> None:
    if len(sys.argv) > 1:
        run(sys.argv[1])
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"store: SQLite file in a temporary folder ({sys.platform})")
        run(url)


if __name__ == "__main__":
    main()
