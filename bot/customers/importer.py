"""`bot customers import FILE.csv`: an upsert by customer number. Bad rows are reported by line and
reason and skipped; the good rows are imported together in one transaction.

The file is streamed: records are read in order, cleaned in batches (in worker processes, one per
core, for a large file or one with PINs, whose scrypt hashes are slow by design), staged in a
temporary table and upserted at the end. Memory stays the same whatever the number of rows.
Reasons never repeat the rejected values; the customer number is shown masked.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.customers.cleaning import REQUIRED, Cleaned, clean_in_worker, clean_records, start_worker
from bot.customers.csv_records import Record, read_records
from bot.customers.staging import Staging
from bot.logging_setup import mask
from bot.numbering import SchemeSet
from bot.store.models import utcnow

# Rows cleaned per task sent to a worker (fewer when rows carry PINs, so every core gets some of the
# hashing), and rows staged per round trip to the database.
CHUNK_ROWS = 2_000
CHUNK_ROWS_WITH_PINS = 50
BATCH_ROWS = 10_000
# A file at least this big is cleaned by worker processes; smaller ones in this process (a pool costs
# about a second to start). PINs cost ~40 ms each, so a file with a pin column goes to workers sooner.
POOL_MIN_BYTES = 1 << 20
POOL_MIN_BYTES_WITH_PINS = 4 << 10

Reject = Callable[[int, str], None]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # on file already, with the same values: not rewritten
    rejected: list[tuple[int, str]] = field(default_factory=list)  # kept only when no on_reject is given
    rejected_count: int = 0

    @property
    def ok(self) -> bool:
        return self.rejected_count == 0


def import_customers(session: Session, path: Path, *, schemes: SchemeSet, region: str, today: dt.date | None = None,
                     on_reject: Reject | None = None, workers: int | None = None) -> ImportReport:
    """`on_reject(line, reason)` hears of each rejected row as it is found, in line order (else they are
    listed in the report). `workers`: processes cleaning rows; None chooses by the file's size."""
    today = today or dt.date.today()
    report = ImportReport()

    def reject(line: int, reason: str) -> None:
        report.rejected_count += 1
        if on_reject is not None:
            on_reject(line, reason)
        else:
            report.rejected.append((line, reason))

    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        records = read_records(handle)
        header_record = next(records, None)
        header = [h.strip() for h in (header_record[1] or [])] if header_record else []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            reject(1, f"header is missing column(s): {', '.join(missing)}")
            return report
        if workers is None:
            big = path.stat().st_size >= (POOL_MIN_BYTES_WITH_PINS if "pin" in header else POOL_MIN_BYTES)
            workers = (os.cpu_count() or 1) if big else 1
        chunk_rows = CHUNK_ROWS_WITH_PINS if "pin" in header else CHUNK_ROWS
        cleaned = _clean_all(_chunks(records, chunk_rows), header=header, schemes=schemes, region=region, today=today,
                             workers=workers)
        staging = Staging(session)
        _stage(staging, cleaned, reject)
        report.created, report.updated, report.unchanged = staging.upsert(utcnow())
    return report


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _clean_all(chunks: Iterator[list[Record]], *, header: list[str], workers: int, **context: Any) -> Iterator[Cleaned]:
    """Every record cleaned, in file order."""
    if workers <= 1:
        for chunk in chunks:
            yield from clean_records(chunk, header, **context)
        return
    # Spawned, not forked: the parent may hold database connections and threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=start_worker, initargs=(header, context)) as pool:
        pending: deque[Future] = deque()
        for chunk in chunks:
            pending.append(pool.submit(clean_in_worker, chunk))
            # A few chunks in flight per worker keeps every core busy and memory bounded.
            if len(pending) >= 3 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _stage(staging: Staging, cleaned: Iterator[Cleaned], reject: Reject) -> None:
    """Stage the good rows batch by batch; report bad ones and numbers given twice, in line order."""
    batch: list[tuple] = []
    refused: list[tuple[int, str]] = []

    def flush() -> None:
        first_lines: dict[str, int] = {}
        fresh: list[tuple] = []
        earlier = staging.earlier_lines([row[1] for row in batch])
        for row in batch:
            line, number = row[0], row[1]
            first = earlier.get(number) or first_lines.get(number)
            if first is not None:
                refused.append((line, f"customer number {mask(number)} already given on line {first}"))
                continue
            first_lines[number] = line
            fresh.append(row)
        staging.add(fresh)
        for line, reason in sorted(refused):
            reject(line, reason)
        batch.clear()
        refused.clear()

    for line, values, reason in cleaned:
        if values is None:
            refused.append((line, reason))
        else:
            batch.append((line, *values))
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()
