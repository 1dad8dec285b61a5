"""bot.store.driver_sql and the conversation rows a turn reads and writes through it: what the driver
writes, the ORM reads back the same (and the other way round), inside the session's own transaction,
with SQLAlchemy's errors; on SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from bot.records import EventRecord, State
from bot.store.conversations import (ConversationRow, advance_turn, create_conversation, insert_for_turn,
                                     load_for_turn, save_row)
from bot.store.db import get_engine, transaction
from bot.store.driver_sql import driver_sql
from bot.store.models import Conversation, Event, FailedAttempt, VerificationDecision


def test_a_row_the_driver_writes_reads_back_the_same_through_the_orm(database_url):
    with transaction(database_url) as session:
        row = insert_for_turn(session, channel="voice", key="CA-driver", caller="+447700900123", flow_version="v1",
                              origin="caller:abc")
        state = State(step="postcode", customer_number="1023456781", factors={"date_of_birth": True},
                      counters={"postcode": {"no_match": 1}}, pending={"kind": "postcode", "value": "SW1A 1AA"})
        advance_turn(row, state=state, response="<Response><Say>Thanks</Say></Response>")
        save_row(session, conversation=row, events=[EventRecord("postcode", "matched"),
                                                     EventRecord("postcode", "verified", "detail")])
    with transaction(database_url) as session:
        stored = session.scalar(select(Conversation).where(Conversation.session_key == "CA-driver"))
        assert stored.id == row.id and stored.turn == 1 and stored.step == "postcode"
        assert stored.state == state.to_dict()
        assert stored.last_response == "<Response><Say>Thanks</Say></Response>"
        assert stored.origin == "caller:abc" and stored.status == "active"
        assert stored.started_at.tzinfo is not None and stored.updated_at >= stored.started_at
        events = session.scalars(select(Event).where(Event.conversation_id == row.id).order_by(Event.id)).all()
        assert [(e.step, e.outcome, e.detail) for e in events] == [("postcode", "matched", None),
                                                                  ("postcode", "verified", "detail")]
        # Sealed at rest, as the ORM seals it: neither the reading nor the reply is in the row as written.
        raw = session.connection().exec_driver_sql(
            "SELECT state, last_response FROM conversations WHERE id = '%s'" % row.id).one()
        assert "SW1A" not in raw[0] and "Thanks" not in raw[1]


def test_a_row_the_orm_writes_loads_the_same_through_the_driver(database_url):
    with transaction(database_url) as session:
        made = create_conversation(session, channel="sms", key="SM-orm", caller="+447700900124", flow_version="v2")
        made.state = {"step": "menu", "counters": {"menu": {"no_input": 2}}}
        made.last_response = "<Response/>"
        made_id = made.id
    with transaction(database_url) as session:
        row = load_for_turn(session, key="SM-orm")
    assert isinstance(row, ConversationRow)
    assert (row.id, row.channel, row.caller, row.flow_version, row.turn, row.status) == (
        made_id, "sms", "+447700900124", "v2", 0, "active")
    assert row.state == {"step": "menu", "counters": {"menu": {"no_input": 2}}}
    assert row.last_response == "<Response/>"
    assert isinstance(row.started_at, dt.datetime) and row.started_at.tzinfo is not None
    with transaction(database_url, read_only=True) as session:
        assert load_for_turn(session, key="nobody") is None


def test_what_the_driver_writes_rolls_back_with_the_session(database_url):
    with pytest.raises(RuntimeError):
        with transaction(database_url) as session:
            insert_for_turn(session, channel="voice", key="CA-rolled-back", caller=None, flow_version="v1")
            raise RuntimeError("the turn failed")
    with transaction(database_url, read_only=True) as session:
        assert load_for_turn(session, key="CA-rolled-back") is None


def test_a_duplicate_key_is_sqlalchemys_integrity_error_and_a_savepoint_recovers_from_it(database_url):
    values = {"id": "c1", "channel": "voice", "session_key": "CA-twice", "flow_version": "v1", "status": "active",
              "state": {}, "turn": 0, "started_at": dt.datetime.now(dt.timezone.utc),
              "updated_at": dt.datetime.now(dt.timezone.utc)}
    with transaction(database_url) as session:
        driver_sql(session).insert(Conversation.__table__, values)
    with transaction(database_url) as session:
        with pytest.raises(IntegrityError):
            with session.begin_nested():
                driver_sql(session).insert(Conversation.__table__, {**values, "id": "c2"})
        # The transaction goes on after the savepoint is rolled back (PostgreSQL would refuse otherwise).
        assert load_for_turn(session, key="CA-twice") is not None


def test_a_conversation_whose_key_is_taken_is_not_inserted_and_nothing_fails(database_url):
    with transaction(database_url) as session:
        first = insert_for_turn(session, channel="voice", key="CA-twice", caller=None, flow_version="v1")
    with transaction(database_url) as session:
        # No savepoint around it: the transaction is still usable afterwards on PostgreSQL too.
        assert insert_for_turn(session, channel="voice", key="CA-twice", caller=None, flow_version="v2") is None
        assert load_for_turn(session, key="CA-twice").id == first.id
    with transaction(database_url, read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_inserts_and_counts_use_the_columns_types(database_url):
    at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc)
    with transaction(database_url) as session:
        sql = driver_sql(session)
        sql.insert(FailedAttempt.__table__, {"customer_number": "123", "channel": "voice", "origin": None,
                                             "conversation_id": None, "at": at})
        sql.insert(VerificationDecision.__table__, {"at": at, "channel": "voice", "conversation_id": None,
                                                    "session_key": None, "customer_number": "123",
                                                    "factors_asked": ["date_of_birth", "postcode"],
                                                    "factors_passed": ["postcode"], "result": "failed",
                                                    "reason": None, "flow_version": "v1", "actor": None})
    with transaction(database_url, read_only=True) as session:
        attempt = session.scalar(select(FailedAttempt))
        assert attempt.at == at
        decision = session.scalar(select(VerificationDecision))
        assert decision.factors_asked == ["date_of_birth", "postcode"] and decision.factors_passed == ["postcode"]
        assert decision.at == at


def test_listeners_on_the_engine_see_the_drivers_statements(database_url):
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = get_engine(database_url)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with transaction(database_url, read_only=True) as session:
            load_for_turn(session, key="anyone")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert any(statement.startswith("SELECT id, channel, session_key") for statement in seen)
