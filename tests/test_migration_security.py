"""0007_security on a database that held answers in clear: ended conversations lose them, open ones
still read (and are sealed when next written, or by `bot data rekey`), MessageSids get their table,
and the way back leaves a schema the older code runs on."""
from __future__ import annotations

import json
import uuid

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from bot.store.db import get_engine, transaction
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Conversation
from tests.conftest import new_postgres_database

PENDING = {"step": "date_of_birth", "pending": {"step": "date_of_birth", "value": "1985-03-03"}, "partial": None,
           "factors": {"date_of_birth": True}}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrate.db'}"
        yield url
        get_engine(url).dispose()
        return
    with new_postgres_database("bot_test_migrate") as url:
        yield url


def _insert(url, key, status, state, reply):
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO conversations (id, channel, session_key, flow_version, status, state, turn, "
                          "last_response, started_at, updated_at) VALUES (:id, 'voice', :key, 'v1', :status, :state, 2, "
                          ":reply, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"),
                     {"id": uuid.uuid4().hex, "key": key, "status": status, "state": json.dumps(state), "reply": reply})


def test_clear_answers_of_ended_conversations_are_removed_and_open_ones_still_read(fresh_url):
    upgrade(fresh_url, "0005_verification")
    _insert(fresh_url, "CA-ended", "closed", PENDING, "<Response><Say>Was that 3 March 1985?</Say></Response>")
    _insert(fresh_url, "CA-open", "active", PENDING, "<Response><Say>Was that 3 March 1985?</Say></Response>")
    upgrade(fresh_url)
    with get_engine(fresh_url).connect() as conn:
        rows = dict(conn.execute(text("SELECT session_key, state FROM conversations")).all())
        replies = dict(conn.execute(text("SELECT session_key, last_response FROM conversations")).all())
    assert "1985" not in rows["CA-ended"] and replies["CA-ended"] is None
    assert json.loads(rows["CA-ended"])["step"] == "date_of_birth"  # the rest of the state stays
    with transaction(fresh_url) as session:
        opened = session.scalar(select(Conversation).where(Conversation.session_key == "CA-open"))
        assert opened.state["pending"]["value"] == "1985-03-03"  # read as stored, sealed when next written
    assert "processed_messages" in inspect(get_engine(fresh_url)).get_table_names()


def test_the_way_back(fresh_url):
    upgrade(fresh_url)
    cfg = alembic_config(fresh_url)
    with get_engine(fresh_url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0007_security@-1")
    assert "processed_messages" not in inspect(get_engine(fresh_url)).get_table_names()
