"""SMS and WhatsApp threads: one conversation per (customer address, our number) until it goes idle.

Twilio's own SMS cookie is unsigned and lasts 4 hours, so the pairing is kept here instead.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.chat.idle import expire_conversation, is_idle
from bot.store.conversations import find_conversation
from bot.store.models import ChatThread


@dataclass(frozen=True)
class ThreadTurn:
    conversation_key: str
    new: bool  # a fresh conversation: run its start turn
    duplicate: bool  # Twilio redelivered a message already answered


def _new_key(channel: str) -> str:
    return f"{channel}:{uuid.uuid4().hex}"


def open_thread(session: Session, *, channel: str, customer: str, ours: str, message_sid: str | None,
                now: dt.datetime, idle_minutes: int) -> ThreadTurn:
    """Find the pair's conversation for this message, starting a new one when there is none, it ended or it went idle."""
    thread = session.scalar(select(ChatThread).where(ChatThread.customer_address == customer,
                                                     ChatThread.our_address == ours).with_for_update())
    if thread is None:
        thread = ChatThread(channel=channel, customer_address=customer, our_address=ours,
                            conversation_key=_new_key(channel), last_message_sid=message_sid, last_seen_at=now)
        try:
            with session.begin_nested():
                session.add(thread)
        except IntegrityError:
            # Two first messages at once: the other request created the row; take the normal path on it.
            return open_thread(session, channel=channel, customer=customer, ours=ours, message_sid=message_sid,
                               now=now, idle_minutes=idle_minutes)
        return ThreadTurn(thread.conversation_key, new=True, duplicate=False)
    if message_sid and thread.last_message_sid == message_sid:
        return ThreadTurn(thread.conversation_key, new=False, duplicate=True)
    conversation = find_conversation(session, key=thread.conversation_key)
    # No conversation yet: the pair's first message is still being answered (or failed); start on the same key.
    new = conversation is None
    if conversation is not None and (conversation.status == "closed"
                                     or is_idle(thread.last_seen_at, now=now, idle_minutes=idle_minutes)):
        expire_conversation(session, key=thread.conversation_key)
        thread.conversation_key = _new_key(channel)
        thread.channel = channel
        new = True
    thread.last_message_sid = message_sid
    thread.last_seen_at = now
    return ThreadTurn(thread.conversation_key, new=new, duplicate=False)

