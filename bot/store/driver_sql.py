"""The few statements every turn runs, sent straight to the database driver's cursor.

A turn runs five or six small statements. Through the ORM each one costs 0.3-0.8 ms of CPU (building
the expression, its cache key, the execution context, the result and identity map, the unit of work at
flush), and on SQLite that is more than the database itself takes by a factor of ten or more; it set
the ceiling on turns per second (docs/performance.md). Here a statement is a fixed SQL string run on
the DBAPI connection the session's transaction already holds, so it is inside that transaction (on
SQLite after its BEGIN IMMEDIATE; on PostgreSQL under the same row and advisory locks), and commits or
rolls back with everything else the turn wrote through the ORM.

Values go in and come out through the columns' own SQLAlchemy types (`Codec`): a date, a sealed state
or a JSON list is stored exactly as the ORM stores it, so either side reads what the other wrote.
SQL is written once with `:name` parameters, the form sqlite3 takes; for psycopg it is rewritten to
`%(name)s` once and remembered.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return _PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%"))


class Codec:
    """How one table's columns are written and read by one dialect: the types' bind and result processors."""

    def __init__(self, table: Table, dialect):
        # dialect_impl: the dialect's own form of each type (SQLite keeps dates as text, PostgreSQL does not).
        types = {column.name: column.type.dialect_impl(dialect) for column in table.columns}
        self.bind = {name: kind.bind_processor(dialect) for name, kind in types.items()}
        self.result = {name: kind.result_processor(dialect, None) for name, kind in types.items()}

    def write(self, values: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in values.items():
            process = self.bind.get(name)
            out[name] = process(value) if process is not None and value is not None else value
        return out

    def read(self, names: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
        out = {}
        for name, value in zip(names, row):
            process = self.result.get(name)
            out[name] = process(value) if process is not None and value is not None else value
        return out


_codecs: dict[tuple[str, str, str], Codec] = {}


def driver_sql(session: Session) -> "DriverSql":
    """The session's DriverSql for its current transaction (made once: finding the connection costs). Inside
    a savepoint (session.begin_nested()) it is made afresh, which is what emits the SAVEPOINT."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get(_INFO_KEY)
    if held is not None and transaction is not None and held[0] is transaction:
        return held[1]
    sql = DriverSql(session)
    session.info[_INFO_KEY] = (session.get_nested_transaction() or session.get_transaction(), sql)
    return sql


_INFO_KEY = "frontdoor.driver_sql"


class DriverSql:
    """Statements on the session's own connection (and so in its transaction)."""

    def __init__(self, session: Session):
        # session.connection() begins the session's transaction if it has not begun (BEGIN IMMEDIATE on SQLite).
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.pyformat = self.dialect.paramstyle == "pyformat"
        self.raw = self.connection.connection.driver_connection
        # SQLAlchemy's cursor events still see these statements (a listener counting or checking SQL,
        # as the tests' "no SQL on the event loop" check does); only looked at when someone listens.
        self.announce = self.connection.dispatch.before_cursor_execute

    def codec(self, table: Table) -> Codec:
        key = (table.name, self.dialect.name, self.dialect.driver)
        codec = _codecs.get(key)
        if codec is None:
            codec = _codecs[key] = Codec(table, self.dialect)
        return codec

    def _sql(self, sql: str) -> str:
        return _pyformat(sql) if self.pyformat else sql

    def execute(self, sql: str, params: dict[str, Any] | None = None):
        cursor = self.raw.cursor()
        if self.announce:
            self.announce(self.connection, cursor, sql, params, None, False)
        try:
            cursor.execute(self._sql(sql), params or {})
        except self.dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise self._translated(error, sql, params) from error
        return cursor

    def _translated(self, error: Exception, sql: str, params) -> Exception:
        """The driver's error as SQLAlchemy would have raised it (IntegrityError, OperationalError ...), so
        callers catch one kind; a connection the server dropped is discarded from the pool, as SQLAlchemy does."""
        disconnected = self.dialect.is_disconnect(error, self.raw, None)
        if disconnected:
            self.connection.invalidate(error)
        return DBAPIError.instance(sql, params, error, self.dialect.loaded_dbapi.Error,
                                   connection_invalidated=disconnected, dialect=self.dialect)

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple | None:
        cursor = self.execute(sql, params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def insert(self, table: Table, values: dict[str, Any], *, unless_taken: str | None = None) -> int:
        return self.insert_many(table, [values], unless_taken=unless_taken)

    def insert_many(self, table: Table, rows: list[dict[str, Any]], *,
                    with_update: tuple[str, dict[str, Any]] | None = None, unless_taken: str | None = None) -> int:
        """One INSERT with a VALUES row each (a turn writes one to three): one round trip, where the driver's
        executemany would take several (psycopg pipelines it). The number of rows inserted.

        `with_update`: an UPDATE (its SQL and parameters) of another table, to run with the INSERT; its
        parameter names must not end in `_<n>`, the rows' own. On PostgreSQL
        it rides in the same statement, as a data-modifying WITH, which runs exactly once whether or not
        the INSERT reads it (one statement, and one round trip, fewer; the two see the same snapshot, so
        the UPDATE must not touch the rows inserted); SQLite has no such WITH, and runs it first, alone.
        `unless_taken`: a unique column; a row whose value is already there is not inserted (ON CONFLICT
        DO NOTHING), and a row another transaction is inserting waits for it to end, without the savepoint
        an IntegrityError would need."""
        if with_update is not None and (not rows or self.dialect.name != "postgresql"):
            self.execute(*with_update).close()
            with_update = None
        if not rows:
            return 0
        codec = self.codec(table)
        names = tuple(rows[0])
        params = {}
        for index, row in enumerate(rows):
            params.update({f"{name}_{index}": value for name, value in codec.write(row).items()})
        sql = _insert_sql(table.name, names, len(rows), unless_taken)
        if with_update is not None:
            sql = f"WITH changed AS ({with_update[0]}) {sql}"
            params.update(with_update[1])
        cursor = self.execute(sql, params)
        inserted = cursor.rowcount
        cursor.close()
        return inserted


@lru_cache(maxsize=64)
def _insert_sql(table: str, names: tuple[str, ...], count: int, unless_taken: str | None = None) -> str:
    rows = ", ".join("(" + ", ".join(f":{name}_{index}" for name in names) + ")" for index in range(count))
    conflict = f" ON CONFLICT ({unless_taken}) DO NOTHING" if unless_taken else ""
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES {rows}{conflict}"
