"""Where an import's good rows wait before they go into `customers`: a temporary table in the same
transaction, filled a batch at a time (PostgreSQL: COPY; SQLite: one prepared INSERT run per row),
then upserted in one statement. It also remembers each number's line, so a number given twice is
reported however far apart the two lines are, without holding the file in memory.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot import keys
from bot.customers.cleaning import COLUMNS
from bot.store.models import Customer, UTCDateTime

# Columns replaced on an update; an empty pin column keeps the PIN on file.
_UPDATED = [c for c in COLUMNS if c not in ("customer_number", "pin_hash")]
# A staged row is (line, *COLUMNS): where its PIN hash sits, and how the customers column seals it.
_PIN = 1 + COLUMNS.index("pin_hash")
_PIN_TYPE = Customer.__table__.c.pin_hash.type
# Numbers asked about at once when looking for earlier lines: well under SQLite's parameter limit.
_LOOKUP_CHUNK = 1000


class Staging:
    def __init__(self, session: Session):
        self.session = session
        self.connection = session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self.table = f"customer_import_{uuid.uuid4().hex[:12]}"
        columns = ", ".join(f"{c} {'DATE' if c == 'date_of_birth' else 'TEXT'}" for c in COLUMNS[1:])
        if not self.postgres:
            # Numbers arrive in no particular order: a page cache that holds the indexes being filled
            # saves rereading them from disk for every row (64 MB at most, whatever the file's size).
            self.connection.exec_driver_sql("PRAGMA cache_size = -65536")
            self.connection.exec_driver_sql("PRAGMA temp.cache_size = -65536")
        else:
            # Temporary tables live in the session's own buffers (8 MB by default), and a million staged
            # rows and their index take over 100 MB: with more buffers the look-ups and the upsert stay
            # in memory (its effect was measured only together with the unchanged-row upsert; see the
            # README's import figures). Only a session that has not touched a temporary table yet may change it (a new one's
            # first transaction here, the CLI's case); elsewhere the default stays.
            try:
                with self.connection.begin_nested():
                    self.connection.exec_driver_sql("SET LOCAL temp_buffers = '256MB'")
            except DBAPIError:
                pass
        on_commit = " ON COMMIT DROP" if self.postgres else ""
        self.connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {self.table} (customer_number TEXT PRIMARY KEY, line INTEGER NOT NULL, {columns})"
            f"{on_commit}")

    def earlier_lines(self, numbers: Sequence[str]) -> dict[str, int]:
        """The line each of these numbers was first given on, for those already staged."""
        found: dict[str, int] = {}
        for start in range(0, len(numbers), _LOOKUP_CHUNK):
            chunk = list(numbers[start:start + _LOOKUP_CHUNK])
            if self.postgres:
                rows = self.connection.exec_driver_sql(
                    f"SELECT customer_number, line FROM {self.table} WHERE customer_number = ANY(%(numbers)s)",
                    {"numbers": chunk})
            else:
                marks = ",".join("?" * len(chunk))
                rows = self.connection.exec_driver_sql(
                    f"SELECT customer_number, line FROM {self.table} WHERE customer_number IN ({marks})", tuple(chunk))
            found.update(rows.all())
        return found

    def add(self, rows: Sequence[tuple]) -> None:
        """Rows as (line, *COLUMNS values), the date as YYYY-MM-DD; numbers not staged before."""
        if not rows:
            return
        rows = _with_sealed_pins(rows)
        names = ", ".join(("line",) + COLUMNS)
        if self.postgres:
            with self.connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        self.connection.exec_driver_sql(f"INSERT INTO {self.table} ({names}) VALUES ({marks})",
                                        rows)

    def upsert(self, now: dt.datetime) -> tuple[int, int, int]:
        """Every staged row into `customers`; (created, updated, unchanged). A row whose values are all
        the same as on file is not written: a nightly re-import of the whole directory rewrites only
        what changed (no dead row versions, no index churn, updated_at keeps its meaning). A row with
        a PIN always counts as changed: its hash is salted afresh."""
        staged, existing = self.connection.execute(text(
            f"SELECT count(*), count(c.customer_number) FROM {self.table} s "
            f"LEFT JOIN customers c ON c.customer_number = s.customer_number")).one()
        columns = ", ".join(COLUMNS)
        assignments = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
        differs = " IS DISTINCT FROM " if self.postgres else " IS NOT "  # NULL-safe; SQLite before 3.39 lacks the former
        changed = " OR ".join(f"customers.{c}{differs}excluded.{c}" for c in _UPDATED)
        # "WHERE true" lets SQLite tell the upsert's ON CONFLICT from a join's ON. Rows go in number
        # order: each index page is visited once, not once per row.
        written = self.connection.execute(text(
            f"INSERT INTO customers ({columns}, created_at, updated_at) "
            f"SELECT {columns}, :now, :now FROM {self.table} WHERE true ORDER BY customer_number "
            f"ON CONFLICT (customer_number) DO UPDATE SET {assignments}, "
            f"pin_hash = COALESCE(excluded.pin_hash, customers.pin_hash), updated_at = excluded.updated_at "
            f"WHERE excluded.pin_hash IS NOT NULL OR {changed}"
        ).bindparams(bindparam("now", type_=UTCDateTime())), {"now": now}).rowcount
        if not self.postgres:
            self.connection.exec_driver_sql(f"DROP TABLE {self.table}")
            self.connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default, for the pooled connection
        created = staged - existing
        updated = written - created
        return created, updated, existing - updated


def _with_sealed_pins(rows: Sequence[tuple]) -> Sequence[tuple]:
    """COPY and the driver's INSERT bypass the ORM's column types: seal each PIN hash here, exactly as
    the `customers.pin_hash` column does, so none is ever written in clear (bot.keys)."""
    keyring = keys.current()
    return [row if row[_PIN] is None else
            (*row[:_PIN], keyring.seal(row[_PIN], purpose=_PIN_TYPE.purpose), *row[_PIN + 1:]) for row in rows]
