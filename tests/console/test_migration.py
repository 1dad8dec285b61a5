"""0009_console: the console tables as the models describe them; open callback requests become new."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.store.db import get_engine
from bot.store.migrate import upgrade
from bot.store.models import Base

TABLES = {"console_users", "console_sessions", "console_login_failures", "console_audit", "callback_requests", "voicemails"}


def test_the_migration_matches_the_models(database_url):
    with get_engine(database_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert not _tables(diff) & TABLES, diff


def _tables(diff) -> set[str]:
    names = set()
    for entry in diff:
        for item in entry if isinstance(entry, list) else [entry]:
            if len(item) > 2 and isinstance(item[2], str):
                names.add(item[2])  # ("add_column", schema, table, column) and the like
            for part in item:
                table = getattr(part, "table", None)
                if table is not None:
                    names.add(table.name)
                elif hasattr(part, "columns") and hasattr(part, "name"):
                    names.add(part.name)  # a whole table
    return names


def test_open_callback_requests_become_new(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006_after_hours")
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO callback_requests (conversation_id, department, phone, context, status, requested_at) "
                          "VALUES ('c1', 'billing', '+447700900123', '{}', 'open', '2026-03-01 10:00:00'), "
                          "('c2', 'billing', '+447700900124', '{}', 'done', '2026-03-01 11:00:00')"))
        conn.execute(text("INSERT INTO voicemails (conversation_id, department, recording_url, context, left_at) "
                          "VALUES ('c3', 'cards', 'https://api.twilio.com/rec/RE1', '{}', '2026-03-01 12:00:00')"))
    upgrade(url)
    with get_engine(url).connect() as conn:
        assert conn.execute(text("SELECT status, claimed_by FROM callback_requests ORDER BY id")).all() == [
            ("new", None), ("done", None)]
        assert conn.execute(text("SELECT status FROM voicemails")).scalar() == "new"
    get_engine(url).dispose()
