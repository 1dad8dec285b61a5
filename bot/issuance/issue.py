"""Issue new numbers: random serials, unique against every number ever issued (closed ones
included) and every customer in the directory, recorded in bulk with their issue time.

Candidates are drawn in rounds, checked against the store a chunk at a time (indexed
`IN (...)` look-ups) and inserted with one executemany per round, so 100,000 numbers take
a few seconds on SQLite rather than 200,000 round trips. The unique constraint on
issued_numbers.number stays the last word: a concurrent issuer that drew the same number
makes one transaction fail, never a duplicate.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.numbering import Scheme, SerialSpaceExhausted, generate_many
from bot.numbering.issuance import MAX_CONSECUTIVE_COLLISIONS, capacity
from bot.store.models import Customer, IssuedNumber, utcnow

# Candidates per round: large enough to amortise the look-ups, small enough to keep memory flat.
ROUND = 20_000
# Numbers per IN (...): well under SQLite's bound-parameter limit on every version in use.
CHUNK = 900


def issue_numbers(session: Session, *, scheme: Scheme, prefix: str | None, count: int,
                  rng: random.Random, now: dt.datetime | None = None) -> list[str]:
    """Issue `count` new valid numbers of `scheme` under `prefix` and record them; returns them in issue order.

    `rng` is random.SystemRandom() in production, so a number cannot be guessed from another.
    Raises InvalidComponent for an unknown prefix, SerialSpaceExhausted when the prefix is (nearly) full.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if count > capacity(scheme):
        raise SerialSpaceExhausted(f"{scheme.name} holds {capacity(scheme):,} numbers per prefix, asked for {count:,}")
    now = now or utcnow()
    issued: list[str] = []
    mine: set[str] = set()    # drawn and kept in this run
    taken: set[str] = set()   # drawn, but already in the store
    while len(issued) < count:
        wanted = min(ROUND, count - len(issued))
        drawn = list(generate_many(scheme, prefix, wanted, rng,
                                   exclude=lambda n: n in mine or n in taken))
        in_store = _in_store(session, drawn)
        fresh = [n for n in drawn if n not in in_store]
        if not fresh and len(drawn) >= MAX_CONSECUTIVE_COLLISIONS:
            # As in generate_many: that many taken draws in a row mean the range is practically full.
            raise SerialSpaceExhausted(f"{len(drawn):,} numbers drawn under {prefix!r} were all taken")
        taken |= in_store
        if not fresh:
            continue  # (an empty parameter list would insert one row of defaults)
        mine.update(fresh)
        session.execute(insert(IssuedNumber), [
            {"number": n, "scheme": scheme.name, "prefix": prefix, "status": "active", "issued_at": now}
            for n in fresh
        ])
        issued += fresh
    return issued


def _in_store(session: Session, numbers: list[str]) -> set[str]:
    """Those of `numbers` already issued or belonging to a customer."""
    found: set[str] = set()
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        found.update(session.scalars(select(IssuedNumber.number).where(IssuedNumber.number.in_(chunk))))
        found.update(session.scalars(select(Customer.customer_number).where(Customer.customer_number.in_(chunk))))
    return found
