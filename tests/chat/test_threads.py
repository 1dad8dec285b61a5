"""SMS/WhatsApp threads: one row per (customer, our number), found again, renewed when idle, safe under a race."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, text

from bot.chat.threads import open_thread
from bot.store.db import transaction
from bot.store.models import ChatThread

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def turn(url, *, sid, at=NOW, customer="+447700900123", ours="+442071230000"):
    with transaction(url) as session:
        return open_thread(session, channel="sms", customer=customer, ours=ours, message_sid=sid, now=at,
                           idle_minutes=15)


def test_a_pair_keeps_its_key_until_it_has_a_conversation_that_went_idle(database_url):
    first = turn(database_url, sid="SM1")
    assert first.new and not first.duplicate and first.conversation_key.startswith("sms:")
    again = turn(database_url, sid="SM2", at=NOW + dt.timedelta(minutes=30))
    # No conversation was ever stored under the key (its first turn failed): start again on the same key.
    assert again.new and again.conversation_key == first.conversation_key
    assert turn(database_url, sid="SM2").duplicate
    other = turn(database_url, sid="SM3", ours="+442071239999")
    assert other.conversation_key != first.conversation_key


@pytest.fixture
def postgres_url(postgres_server_url):
    with transaction(postgres_server_url) as session:
        session.execute(text("TRUNCATE chat_threads, processed_messages RESTART IDENTITY"))
    return postgres_server_url


# On SQLite this cannot happen: a transaction holds the database's write lock from its start.
@pytest.mark.postgres
def test_a_pair_created_by_another_worker_meanwhile_is_reused(postgres_url):
    database_url = postgres_url
    with transaction(database_url) as session:
        raced: list[bool] = []

        @event.listens_for(session, "before_flush")
        def another_worker_wins(session_, context, instances):
            # Between our "no row yet" and our insert, another request inserts and commits the same pair.
            if not raced and any(isinstance(obj, ChatThread) for obj in session_.new):
                raced.append(True)
                with transaction(database_url) as other:
                    other.add(ChatThread(channel="sms", customer_address="+447700900123",
                                         our_address="+442071230000", conversation_key="sms:other-worker",
                                         last_message_sid="SM0", last_seen_at=NOW))

        result = open_thread(session, channel="sms", customer="+447700900123", ours="+442071230000",
                             message_sid="SM1", now=NOW, idle_minutes=15)
    assert raced == [True]
    assert result.conversation_key == "sms:other-worker" and not result.duplicate
    with transaction(database_url) as session:
        assert [t.conversation_key for t in session.scalars(select(ChatThread))] == ["sms:other-worker"]
