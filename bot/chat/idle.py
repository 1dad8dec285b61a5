"""A chat conversation that has been quiet for too long is over: the next message starts a new one."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.records import EventRecord
from bot.store.conversations import add_events, close_conversation, find_conversation


def is_idle(last_seen_at: dt.datetime, *, now: dt.datetime, idle_minutes: int) -> bool:
    return now - last_seen_at >= dt.timedelta(minutes=idle_minutes)


def expire_conversation(session: Session, *, key: str) -> None:
    """Close the conversation as `expired`, noting the step it stopped at (the funnel shows where chats go quiet)."""
    conversation = find_conversation(session, key=key)
    if conversation is None or conversation.status == "closed":
        return
    add_events(session, conversation=conversation, events=[EventRecord(conversation.step, "expired")])
    close_conversation(session, conversation=conversation, reason="expired", hung_up_at=conversation.step)
