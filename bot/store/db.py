"""Engine and transactions from DATABASE_URL; one engine per URL per process.

SQLite: pysqlite's own transaction handling is turned off and every transaction that may write
starts with BEGIN IMMEDIATE, so it holds the database's single write lock from its first statement.
A deferred transaction would read a snapshot first and could then act on it after another writer
changed it (two sessions on one number each seeing two failures), or fail to upgrade to a writer
("database is locked"). Read-only units of work (`transaction(url, read_only=True)`) begin deferred
and, under WAL, never wait for writers.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "frontdoor_read_only"


def normalise_url(url: str) -> str:
    # "postgresql://" means psycopg2 to SQLAlchemy; we ship psycopg 3.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - runs per connection
            # We say when transactions begin (below); pysqlite would begin them lazily, deferred.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # WAL lets the web server read while the CLI imports; foreign keys are off by default in SQLite.
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - runs per transaction
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def transaction(url: str, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: committed whole or rolled back whole, so no half-written record is left.
    `read_only`: it writes nothing, so on SQLite it need not wait for (nor hold up) writers."""
    factory = _factory(url)
    session = factory(bind=get_engine(url).execution_options(**{READ_ONLY: True})) if read_only else factory()
    try:
        yield session
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
    if session.get_bind().dialect.name != "postgresql":
        return
    for kind, value in names:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _advisory_key(kind, value)})
