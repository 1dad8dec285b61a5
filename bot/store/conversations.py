"""Conversation rows and their events: small keyword-only functions over one SQLAlchemy session."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.records import EventRecord, State
from bot.store.driver_sql import driver_sql
from bot.store.models import Conversation, Event, new_id, utcnow

# Conversations supervisors hold in the console's Try-it pane (tryit:<user>:<id>): stored like any
# other, by the same engine, but no report counts them (bot.reporting.facts).
PRACTICE_PREFIX = "tryit:"


def find_conversation(session: Session, *, key: str) -> Conversation | None:
    # FOR UPDATE serialises two workers handed the same call at once (PostgreSQL; SQLite locks the file).
    return session.scalar(select(Conversation).where(Conversation.session_key == key).with_for_update())


def create_conversation(session: Session, *, channel: str, key: str, caller: str | None, flow_version: str,
                        origin: str | None = None) -> Conversation:
    conversation = Conversation(channel=channel, session_key=key, caller=caller, flow_version=flow_version,
                                state={}, turn=0, origin=origin)
    session.add(conversation)
    session.flush()
    return conversation


def add_events(session: Session, *, conversation: Conversation, events: list[EventRecord]) -> None:
    # One INSERT for the lot (executemany), and no ids read back: nothing in a turn needs them. Without
    # flushing the conversation's pending changes first: the turn's later changes (closing it) would
    # then cost a second UPDATE. (The conversation row itself is in the database: created with a flush.)
    if events:
        with session.no_autoflush:
            session.execute(insert(Event.__table__), [{"conversation_id": conversation.id, "step": record.step,
                                             "outcome": record.outcome, "detail": record.detail}
                                            for record in events])


@dataclass
class ConversationRow:
    """A conversation as a turn reads and writes it (bot.turns): the row's columns, no ORM behind them.
    `state` is the decoded JSON (the caller's answers, sealed at rest); `write_turn` saves it back."""

    id: str
    channel: str
    session_key: str
    caller: str | None
    flow_version: str
    status: str
    step: str | None
    state: dict
    turn: int
    last_response: str | None
    started_at: dt.datetime
    updated_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str | None
    hung_up_at_step: str | None
    origin: str | None


_COLUMNS = tuple(f.name for f in fields(ConversationRow))
# What a turn may change; written back whole in one UPDATE (a handful of short values).
_CHANGING = ("status", "step", "state", "turn", "last_response", "updated_at", "ended_at", "end_reason",
             "hung_up_at_step")
_TABLE = Conversation.__table__
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM conversations WHERE session_key = :key"
_UPDATE = (f"UPDATE conversations SET {', '.join(f'{name} = :{name}' for name in _CHANGING)} WHERE id = :id")


def load_for_turn(session: Session, *, key: str) -> ConversationRow | None:
    """The conversation for a turn, its row locked until the turn's transaction ends (FOR UPDATE on
    PostgreSQL: two workers handed the same call at once take turns; SQLite's turn holds the write lock)."""
    sql = driver_sql(session)
    row = sql.one(_SELECT + (" FOR UPDATE" if sql.dialect.name == "postgresql" else ""), {"key": key})
    if row is None:
        return None
    values = sql.codec(_TABLE).read(_COLUMNS, row)
    if values["state"] is None:
        values["state"] = {}
    return ConversationRow(**values)


def insert_for_turn(session: Session, *, channel: str, key: str, caller: str | None, flow_version: str,
                    origin: str | None = None) -> ConversationRow | None:
    """A new conversation's row, inserted now; None if the key is taken. A second first message racing
    this one meets the unique key: on PostgreSQL its INSERT waits until this turn's transaction ends, then
    finds the key taken and inserts nothing (no error, so no savepoint around it); on SQLite the turn holds
    the only write lock, and the race cannot happen."""
    now = utcnow()
    row = ConversationRow(id=new_id(), channel=channel, session_key=key, caller=caller, flow_version=flow_version,
                          status="active", step=None, state={}, turn=0, last_response=None, started_at=now,
                          updated_at=now, ended_at=None, end_reason=None, hung_up_at_step=None, origin=origin)
    inserted = driver_sql(session).insert(_TABLE, {name: getattr(row, name) for name in _COLUMNS},
                                          unless_taken="session_key")
    return row if inserted else None


def advance_turn(conversation: ConversationRow, *, state: State, response: str | None) -> None:
    """The turn's new state and reply, on the row (saved by `save_row`, after closing or reopening it)."""
    conversation.state = state.to_dict()
    conversation.step = state.step
    conversation.turn += 1
    conversation.last_response = response


def save_row(session: Session, *, conversation: ConversationRow, events: list[EventRecord] = ()) -> None:
    """The row's changing columns in one UPDATE, and the turn's events in one INSERT (on PostgreSQL, the two
    in one statement)."""
    conversation.updated_at = utcnow()
    sql = driver_sql(session)
    values = {name: getattr(conversation, name) for name in _CHANGING}
    update = (_UPDATE, {**sql.codec(_TABLE).write(values), "id": conversation.id})
    at = utcnow()
    # On PostgreSQL the UPDATE rides in the INSERT's own statement; on SQLite it runs first (DriverSql.insert_many).
    sql.insert_many(Event.__table__, [{"conversation_id": conversation.id, "step": record.step,
                                       "outcome": record.outcome, "detail": record.detail, "at": at}
                                      for record in events], with_update=update)


# What the state may hold of a caller's answers: a reading waiting for a yes/no, the start of a number.
ANSWER_FIELDS = {"pending": None, "partial": None, "factors": {}, "recovery": None}


def close_conversation(session: Session, *, conversation: Conversation, reason: str, hung_up_at: str | None) -> None:
    """The conversation is over: answers leave its state, and only a handoff keeps its reply (for a retry
    of that last turn while the caller is being put through)."""
    if conversation.status == "closed":
        return
    conversation.state = {**(conversation.state or {}), **ANSWER_FIELDS}
    if reason != "handoff":
        conversation.last_response = None
    conversation.status = "closed"
    conversation.ended_at = utcnow()
    conversation.end_reason = reason
    conversation.hung_up_at_step = hung_up_at


def reopen_conversation(session: Session, *, conversation: Conversation) -> None:
    """A handoff no one took: the conversation carries on (the caller is offered the alternatives)."""
    conversation.status = "active"
    conversation.ended_at = None
    conversation.end_reason = None
