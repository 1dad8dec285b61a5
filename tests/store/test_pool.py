"""bot.store.db's PostgreSQL pool in a serving process: as many connections as the threads turns run on,
kept and reused (SQLAlchemy's default kept 5 and opened and closed the rest for every busy turn, a new
server process each time), and a turn that finds them all busy waits no longer than the turn allows."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.settings import Settings
from bot.store import db
from webhooks import offload

pytestmark = pytest.mark.postgres


def serving(monkeypatch, url: str, turn_seconds: float, pool_size: int = db.DEFAULT_POOL_SIZE):
    """The engine a `bot serve` worker would open (its own, disposed by the caller)."""
    monkeypatch.setattr(db, "_timeouts", db.timeouts_for_turns(turn_seconds, pool_size))
    return db.get_engine(url)


def test_a_serving_worker_keeps_a_connection_per_turn_thread_and_reuses_them(postgres_server_url, monkeypatch):
    engine = serving(monkeypatch, postgres_server_url, 10)
    assert Settings.model_fields["database_pool_size"].default == db.DEFAULT_POOL_SIZE >= offload.THREADS
    assert engine.pool.size() == db.DEFAULT_POOL_SIZE
    opened: list[int] = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    barrier = threading.Barrier(offload.THREADS)

    def turn(_):
        barrier.wait()  # every thread busy at once, as under load
        with db.transaction(postgres_server_url) as session:
            session.execute(text("SELECT pg_sleep(0.02)"))

    try:
        for _ in range(3):
            with ThreadPoolExecutor(offload.THREADS) as threads:
                list(threads.map(turn, range(offload.THREADS)))
        assert 0 < len(opened) <= offload.THREADS, len(opened)  # opened once each, then reused
    finally:
        engine.dispose()


def test_a_turn_that_finds_every_connection_busy_gives_up_inside_the_turn(postgres_server_url, monkeypatch):
    engine = serving(monkeypatch, postgres_server_url, 2, pool_size=1)
    held = [engine.connect() for _ in range(1 + db.POOL_OVERFLOW)]
    try:
        started = time.monotonic()
        with pytest.raises(PoolTimeout):
            with db.transaction(postgres_server_url) as session:
                session.execute(text("SELECT 1"))
        waited = time.monotonic() - started
        assert 0.5 < waited < 2 * 0.5, waited  # the lock's share of a 2-second turn (0.8 s), not 30 s
    finally:
        for connection in held:
            connection.close()
        engine.dispose()
