"""`bot data key | rekey | purge`: a new key, re-sealing after a rotation, and deleting what is past retention
while the audit trail stays."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text, update
from typer.testing import CliRunner

from bot import keys
from bot.cli import app
from bot.settings import get_settings
from bot.store.db import transaction
from bot.store.models import (ChatMessage, ChatSession, Conversation, Customer, DeskDelivery, Event, FailedAttempt,
                              Lock, ProcessedMessage, VerificationDecision, utcnow)
from bot.verification.pins import hash_pin, pin_matches
from tests.conftest import DATA_KEY, FLOWS

runner = CliRunner()
NEW = "rotated-data-key-0123456789abcdefghijkl"


@pytest.fixture
def env(monkeypatch, tmp_path, customers):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", customers)
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    get_settings.cache_clear()
    yield customers
    get_settings.cache_clear()


def raw(url, sql):
    with transaction(url) as session:
        return session.execute(text(sql)).all()


def test_a_new_key_is_printed():
    result = runner.invoke(app, ["data", "key"])
    assert result.exit_code == 0 and len(result.output.strip()) == 43
    assert runner.invoke(app, ["data", "key"]).output != result.output


def test_after_a_rotation_rekey_seals_everything_under_the_new_key(env, monkeypatch, phone):
    url = env
    with transaction(url) as session:
        session.execute(update(Customer).where(Customer.customer_number == "1023456781").values(pin_hash=hash_pin("4821")))
    call = phone().dial()
    call.press("1023456781#")  # a conversation in progress, its state sealed under the old key
    old_id = keys.Keyring(DATA_KEY).current.id
    assert all(state.startswith(f"fd1.{old_id}.") for (state,) in raw(url, "SELECT state FROM conversations"))

    monkeypatch.setenv("DATA_KEY", NEW)
    monkeypatch.setenv("DATA_KEYS_RETIRED", DATA_KEY)
    get_settings.cache_clear()
    result = runner.invoke(app, ["data", "rekey"])
    assert result.exit_code == 0, result.output
    assert "conversations: 1 row(s)" in result.output and "customers: 1 row(s)" in result.output
    new_id = keys.Keyring(NEW).current.id
    assert all(v.startswith(f"fd1.{new_id}.") for (v,) in raw(url, "SELECT state FROM conversations"))
    [(pin,)] = raw(url, "SELECT pin_hash FROM customers WHERE pin_hash IS NOT NULL")
    assert pin.startswith(f"fd1.{new_id}.")
    # The retired key can go: everything opens with the new one alone.
    keys.install(keys.Keyring(NEW))
    with transaction(url) as session:
        assert session.scalar(select(Conversation.state))["step"] == "date_of_birth"
        assert pin_matches("4821", session.scalar(select(Customer.pin_hash).where(Customer.pin_hash.is_not(None))))
    assert "0 row(s)" in runner.invoke(app, ["data", "rekey"]).output  # nothing left to do


def test_clear_values_from_before_sealing_are_read_and_then_sealed(env):
    url = env
    with transaction(url) as session:
        session.execute(text("INSERT INTO conversations (id, channel, session_key, flow_version, status, state, turn, "
                             "started_at, updated_at) VALUES ('c1', 'voice', 'CA-old', 'v', 'active', "
                             "'{\"step\": \"postcode\", \"pending\": {\"step\": \"postcode\", \"value\": \"SW1A1AA\"}}', "
                             "1, :now, :now)"), {"now": utcnow().replace(tzinfo=None)})
        assert session.scalar(select(Conversation.state))["pending"]["value"] == "SW1A1AA"  # a legacy row reads
    assert runner.invoke(app, ["data", "rekey"]).exit_code == 0
    [(state,)] = raw(url, "SELECT state FROM conversations")
    assert state.startswith("fd1.") and "SW1A1AA" not in state


def test_purge_deletes_what_is_past_retention_and_keeps_the_audit(env, monkeypatch, phone, http):
    from tests.chat_clients import Texter, WebChat
    from tests.conftest import BASE_URL, TOKEN

    url = env
    for _ in range(2):
        call = phone().dial()
        call.press("1023456781#")
        call.press("01011970")
        call.say("SW1A 1AA")  # a failure, counted and audited
    chat = WebChat(http).open()
    chat.send("1023456781")
    Texter(http, token=TOKEN, base_url=BASE_URL).text("Hello")
    old = utcnow() - dt.timedelta(days=100)
    with transaction(url) as session:
        first = session.scalars(select(Conversation.id).order_by(Conversation.started_at)).first()
        # Everything but the first call and its failure is made 100 days old.
        for model, column in ((Conversation, Conversation.updated_at), (ChatSession, ChatSession.last_seen_at),
                              (ProcessedMessage, ProcessedMessage.at)):
            session.execute(update(model).values({column.key: old}))
        session.execute(update(Conversation).where(Conversation.id == first).values(updated_at=utcnow()))
        session.execute(update(FailedAttempt).where(FailedAttempt.conversation_id != first).values(at=old))
        decisions = session.scalar(select(func.count()).select_from(VerificationDecision))
        session.add(DeskDelivery(conversation_id="x", payload="{}", status="delivered", created_at=old, updated_at=old))
        session.add(DeskDelivery(conversation_id="y", payload="{}", status="pending", created_at=old, updated_at=old))
    monkeypatch.setenv("RETENTION_DAYS", "90")
    get_settings.cache_clear()
    result = runner.invoke(app, ["data", "purge"])
    assert result.exit_code == 0, result.output
    assert "kept the last 90 day(s)" in result.output
    with transaction(url) as session:
        def count(model):
            return session.scalar(select(func.count()).select_from(model))
        assert session.scalars(select(Conversation.id)).all() == [first]
        assert session.scalar(select(func.count()).select_from(Event).where(Event.conversation_id != first)) == 0
        assert count(ChatMessage) == 0 and count(ChatSession) == 0 and count(ProcessedMessage) == 0
        assert count(FailedAttempt) == 1  # the recent failure still counts towards the lockout
        assert session.scalars(select(DeskDelivery.status)).all() == ["pending"]  # not yet delivered: kept
        assert count(VerificationDecision) == decisions  # the audit trail is never purged
        assert count(Lock) == 0
