"""The database part of a turn, two ways, on PostgreSQL: synchronous SQLAlchemy (psycopg) in the thread
pool, as the service runs it, against SQLAlchemy's asyncio extension with psycopg's async driver on
the event loop, as "async end to end" would run it. Same ORM statements as a verification turn: load
the conversation FOR UPDATE, find the customer, save the conversation, add an event, commit.

Both run on one core (this process is pinned to core 0; PostgreSQL is not pinned), with 32 turns in
flight at once, on 32 different conversations. Prints turns/s, this process's CPU per turn (the
server's own work per turn, whatever PostgreSQL does), and p50/p99 of a turn's time.

Run: .venv/bin/python benchmarks/db_turn_async.py [--seconds N]
PostgreSQL: BENCH_POSTGRES_URL or TEST_POSTGRES_URL (a database is created for the run and dropped).
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import postgres_available, prepare_database  # noqa: E402

IN_FLIGHT = 32
NUMBER = "1023456781"


def statements():
    from sqlalchemy import insert, select

    from bot.store.models import Conversation, Customer, Event, utcnow

    def load(key):
        return select(Conversation).where(Conversation.session_key == key).with_for_update()

    def customer():
        return select(Customer).where(Customer.customer_number == NUMBER)

    def save(session_add, conversation):
        conversation.turn += 1
        conversation.step = "date_of_birth"
        conversation.state = {**(conversation.state or {}), "turn": conversation.turn}
        conversation.updated_at = utcnow()

    events = insert(Event.__table__)
    return load, customer, save, events


def seed(url: str) -> list[str]:
    from bot.store.db import transaction
    from bot.store.models import Conversation

    keys = [f"CA{uuid.uuid4().hex}" for _ in range(IN_FLIGHT)]
    with transaction(url) as session:
        for key in keys:
            session.add(Conversation(channel="voice", session_key=key, flow_version="bench", state={}, turn=0))
    return keys


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def thread_pool(url: str, keys: list[str], seconds: float) -> tuple[int, float, list[float]]:
    import anyio.to_thread

    from bot.store.db import transaction

    load, customer, save, events = statements()

    def turn(key: str) -> None:
        with transaction(url) as session:
            conversation = session.scalar(load(key))
            session.scalar(customer())
            save(session.add, conversation)
            with session.no_autoflush:
                session.execute(events, [{"conversation_id": conversation.id, "step": "number", "outcome": "matched"}])

    return await drive(keys, seconds, lambda key: anyio.to_thread.run_sync(turn, key))


async def asyncio_driver(url: str, keys: list[str], seconds: float) -> tuple[int, float, list[float]]:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from bot.store.db import normalise_url

    engine = create_async_engine(normalise_url(url), pool_size=IN_FLIGHT, max_overflow=0)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    load, customer, save, events = statements()

    async def turn(key: str) -> None:
        async with factory() as session, session.begin():
            conversation = await session.scalar(load(key))
            await session.scalar(customer())
            save(session.add, conversation)
            with session.no_autoflush:
                await session.execute(events, [{"conversation_id": conversation.id, "step": "number",
                                                "outcome": "matched"}])

    try:
        return await drive(keys, seconds, turn)
    finally:
        await engine.dispose()


async def drive(keys, seconds, run) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    for key in keys:  # warm: connections opened, statements compiled
        await run(key)
    until = time.perf_counter() + seconds
    cpu = time.process_time()

    async def line(key: str) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            await run(key)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(line(key) for key in keys))
    elapsed = time.perf_counter() - started
    return len(latencies), (time.process_time() - cpu) / max(1, len(latencies)), latencies, elapsed


def main() -> int:
    seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 10.0
    if not postgres_available():
        print("db_turn_async.py needs PostgreSQL (BENCH_POSTGRES_URL or TEST_POSTGRES_URL)")
        return 1
    os.sched_setaffinity(0, {0})
    print(f"database part of a turn on PostgreSQL, {IN_FLIGHT} in flight, this process on core 0, {seconds:g} s each; "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        url, drop = prepare_database("postgresql", Path(folder))
        try:
            keys = seed(url)
            for label, way in (("thread pool (sync psycopg)", thread_pool), ("asyncio (psycopg async)", asyncio_driver)):
                from bot.store.db import get_engine

                get_engine(url).pool.dispose()
                count, cpu, latencies, elapsed = asyncio.run(way(url, keys, seconds))
                print(f"  {label:<28} {count / elapsed:7.0f} turns/s  {cpu * 1000:6.2f} ms CPU/turn  "
                      f"p50 {percentile(latencies, 0.5) * 1000:6.1f} ms  p99 {percentile(latencies, 0.99) * 1000:6.1f} ms")
        finally:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
