"""Engine and transactions from DATABASE_URL; one engine per URL per process.

SQLite: pysqlite's own transaction handling is turned off and every transaction that may write
starts with BEGIN IMMEDIATE, so it holds the database's single write lock from its first statement.
A deferred transaction would read a snapshot first and could then act on it after another writer
changed it (two sessions on one number each seeing two failures), or fail to upgrade to a writer
("database is locked"). Read-only units of work (`transaction(url, read_only=True)`) begin deferred
and, under WAL, never wait for writers. WAL with synchronous=NORMAL: a commit is durable against a
crash of the process (not of the machine's power), and costs no fsync.

Timeouts: a process that answers Twilio (`bot serve`, create_app) calls `serve_within(seconds)`
before it opens the database, and then connecting, waiting for a lock and running one statement are
each bounded well inside a turn's deadline (bot.deadline): a held row lock or a hung database ends
in an error the webhook answers with its apology, never a caller in silence past Twilio's 15 seconds.
The `bot` command's own work (imports, migrations, reports) keeps the patient defaults.

Connections: each process keeps up to DATABASE_POOL_SIZE PostgreSQL connections open (40 by default,
as many as the threads its turns run on, webhooks.offload), so a busy turn never opens one of its own.
SQLAlchemy's default (5 kept, 10 more opened for a burst and closed as each is handed back) made most
turns under load connect afresh, which costs a new server process each time: it halved the rate a
worker served. A turn that finds them all busy waits for one no longer than it would for a lock.

No ping on checkout (a round trip per turn): pooled connections are recycled before servers and
proxies drop idle ones, and a connection found dead mid-turn is discarded by SQLAlchemy (the turn
fails and is answered with the apology; the next one gets a fresh connection).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot import deadline
from bot.store.driver_sql import driver_sql

READ_ONLY = "frontdoor_read_only"
# Idle pooled connections are replaced after this long, before a proxy or server closes them.
POOL_RECYCLE_SECONDS = 300


# PostgreSQL connections a process keeps open (DATABASE_POOL_SIZE); a few more for a moment's overlap.
DEFAULT_POOL_SIZE = 40
POOL_OVERFLOW = 5


@dataclass(frozen=True)
class Timeouts:
    connect_seconds: int
    lock_ms: int | None  # PostgreSQL lock_timeout; SQLite's busy_timeout when set
    statement_ms: int | None  # PostgreSQL statement_timeout
    pool_size: int = DEFAULT_POOL_SIZE  # PostgreSQL connections kept open (the pool's size)
    pool_wait_seconds: float = 30.0  # waiting for a free one of them


# The `bot` command: nobody is waiting on a phone line, and an import or a migration may take a while.
PATIENT = Timeouts(connect_seconds=10, lock_ms=None, statement_ms=None)
SQLITE_PATIENT_BUSY_MS = 30_000
_timeouts = PATIENT


def timeouts_for_turns(turn_seconds: float, pool_size: int = DEFAULT_POOL_SIZE) -> Timeouts:
    """Each wait bounded inside the turn's deadline, so the webhook answers (with its apology) in time:
    a lock (or a free pooled connection) waited for at most 40% of it, a statement run for at most 70%
    of it, a connection opened in at most 3 seconds (libpq counts whole seconds, at least 2)."""
    lock_ms = max(100, int(turn_seconds * 400))
    return Timeouts(connect_seconds=max(2, min(3, int(turn_seconds * 0.3))), lock_ms=lock_ms,
                    statement_ms=max(200, int(turn_seconds * 700)), pool_size=pool_size,
                    pool_wait_seconds=lock_ms / 1000)


def serve_within(turn_seconds: float, pool_size: int = DEFAULT_POOL_SIZE) -> Timeouts:
    """This process answers webhooks: engines opened from now on carry the timeouts for that budget."""
    global _timeouts
    _timeouts = timeouts_for_turns(turn_seconds, pool_size)
    return _timeouts


def current_timeouts() -> Timeouts:
    return _timeouts


def normalise_url(url: str) -> str:
    # "postgresql://" means psycopg2 to SQLAlchemy; we ship psycopg 3.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def get_engine(url: str) -> Engine:
    return _engine(normalise_url(url), _timeouts)


@lru_cache(maxsize=16)
def _engine(url: str, timeouts: Timeouts) -> Engine:
    if url.startswith("sqlite"):
        busy_ms = timeouts.lock_ms if timeouts.lock_ms is not None else SQLITE_PATIENT_BUSY_MS
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_ms / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - runs per connection
            # We say when transactions begin (below); pysqlite would begin them lazily, deferred.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # WAL lets the web server read while the CLI imports; foreign keys are off by default in SQLite.
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                # Under WAL, NORMAL syncs at checkpoints, not at every commit; still consistent after a crash.
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - runs per transaction
            # Straight to the driver: through SQLAlchemy's execution machinery it cost a turn ~0.1 ms of CPU.
            conn.connection.driver_connection.execute(
                "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    options = [f"-c {name}={value}" for name, value in (("lock_timeout", timeouts.lock_ms),
                                                          ("statement_timeout", timeouts.statement_ms)) if value]
    connect_args: dict = {"connect_timeout": timeouts.connect_seconds}
    if options:
        connect_args["options"] = " ".join(options)
    return create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, connect_args=connect_args,
                         pool_size=timeouts.pool_size, max_overflow=POOL_OVERFLOW,
                         pool_timeout=timeouts.pool_wait_seconds)


@lru_cache(maxsize=16)
def _factory(url: str, timeouts: Timeouts) -> sessionmaker[Session]:
    return sessionmaker(bind=_engine(url, timeouts), expire_on_commit=False)


@contextmanager
def transaction(url: str, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: committed whole or rolled back whole, so no half-written record is left.
    `read_only`: it writes nothing, so on SQLite it need not wait for (nor hold up) writers.
    Inside a turn whose deadline has passed (bot.deadline) nothing is committed: the caller has
    already been answered with the apology, and the turn must not happen behind their back."""
    url = normalise_url(url)
    factory = _factory(url, _timeouts)
    session = factory(bind=_engine(url, _timeouts).execution_options(**{READ_ONLY: True})) if read_only else factory()
    try:
        yield session
        deadline.check()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _advisory_key(kind: str, value: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{kind}:{value}".encode("utf-8")).digest()[:8], "big", signed=True)


def serialise(session: Session, *names: tuple[str, str]) -> None:
    """Hold PostgreSQL advisory locks on these (kind, value) names until the transaction ends, taken in
    the order given (callers keep one order, so two never wait on each other). SQLite needs nothing:
    the transaction already holds the database's only write lock."""
    if session.get_bind().dialect.name != "postgresql" or not names:
        return
    # One round trip: PostgreSQL evaluates a select list left to right, so the locks are still taken in order.
    # Taken at every verification decision: on the driver (bot.store.driver_sql).
    calls = ", ".join(f"pg_advisory_xact_lock(:key{i})" for i in range(len(names)))
    driver_sql(session).one(f"SELECT {calls}", {f"key{i}": _advisory_key(kind, value)
                                                for i, (kind, value) in enumerate(names)})
