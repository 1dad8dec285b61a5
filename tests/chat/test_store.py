"""The chat tables as migrated (0003_chat) are the tables the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.store.db import get_engine
from bot.store.models import Base

CHAT_TABLES = {"chat_threads", "chat_sessions", "chat_messages", "rate_limit_hits", "desk_deliveries"}


def _tables(diff) -> set[str]:
    names = set()
    for entry in diff:
        for item in entry if isinstance(entry, list) else [entry]:
            for part in item:
                name = getattr(part, "name", None) if not isinstance(part, str) else None
                table = getattr(part, "table", None)
                if table is not None:
                    names.add(table.name)
                elif name in CHAT_TABLES:
                    names.add(name)
            if isinstance(item, tuple) and len(item) > 2 and isinstance(item[2], str):
                names.add(item[2])  # ("modify_type", schema, table, column, ...)
    return names


def test_the_migration_creates_exactly_the_modelled_chat_tables(database_url):
    with get_engine(database_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        present = set(connection.dialect.get_table_names(connection))
    assert CHAT_TABLES <= present
    assert _tables(diff) & CHAT_TABLES == set(), diff
