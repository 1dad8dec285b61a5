"""Conversation rows and their events: small keyword-only functions over one SQLAlchemy session."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.records import EventRecord, State
from bot.store.models import Conversation, Event, utcnow

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


def save_turn(session: Session, *, conversation: Conversation, state: State, events: list[EventRecord],
              response: str | None) -> None:
    conversation.state = state.to_dict()
    conversation.step = state.step
    conversation.turn += 1
    conversation.last_response = response
    conversation.updated_at = utcnow()
    add_events(session, conversation=conversation, events=events)


def add_events(session: Session, *, conversation: Conversation, events: list[EventRecord]) -> None:
    # One INSERT for the lot (executemany), and no ids read back: nothing in a turn needs them. Without
    # flushing the conversation's pending changes first: the turn's later changes (closing it) would
    # then cost a second UPDATE. (The conversation row itself is in the database: created with a flush.)
    if events:
        with session.no_autoflush:
            session.execute(insert(Event.__table__), [{"conversation_id": conversation.id, "step": record.step,
                                             "outcome": record.outcome, "detail": record.detail}
                                            for record in events])


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
