"""SMS and WhatsApp threads: one conversation per (customer address, our number) until it goes idle.

Twilio's own SMS cookie is unsigned and lasts 4 hours, so the pairing is kept here instead, and every
MessageSid taken is remembered (until `bot data purge`), so no message is processed twice.
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
from bot.store.models import ChatThread, ProcessedMessage


@dataclass(frozen=True)
class ThreadTurn:
    conversation_key: str
    new: bool  # a fresh conversation: run its start turn
    duplicate: bool  # a message already taken (Twilio delivering it again, or a replay)
    latest: bool = False  # the duplicate is the pair's latest message: its reply may be owed again


def _new_key(channel: str) -> str:
    return f"{channel}:{uuid.uuid4().hex}"


def open_thread(session: Session, *, channel: str, customer: str, ours: str, message_sid: str | None,
                now: dt.datetime, idle_minutes: int) -> ThreadTurn:
    """Find the pair's conversation for this message, starting a new one when there is none, it ended or it went idle.

    A MessageSid already taken is a duplicate, whatever came between: Twilio delivering it again, or
    someone replaying a captured request. Each is processed once (processed_messages has it as a key)."""
    thread = session.scalar(select(ChatThread).where(ChatThread.customer_address == customer,
                                                     ChatThread.our_address == ours).with_for_update())
    if message_sid and session.get(ProcessedMessage, message_sid) is not None:
        return _duplicate(thread, message_sid)
    if thread is None:
        thread = ChatThread(channel=channel, customer_address=customer, our_address=ours,
                            conversation_key=_new_key(channel), last_message_sid=message_sid, last_seen_at=now)
        try:
            with session.begin_nested():
                session.add(thread)
                _taken(session, message_sid, thread.conversation_key, now)
        except IntegrityError:
            # Two first messages at once (or one twice): the other request got there first; take the normal path.
            return open_thread(session, channel=channel, customer=customer, ours=ours, message_sid=message_sid,
                               now=now, idle_minutes=idle_minutes)
        return ThreadTurn(thread.conversation_key, new=True, duplicate=False)
    conversation = find_conversation(session, key=thread.conversation_key)
    # No conversation yet: the pair's first message is still being answered (or failed); start on the same key.
    new = conversation is None
    if conversation is not None and (conversation.status == "closed"
                                     or is_idle(thread.last_seen_at, now=now, idle_minutes=idle_minutes)):
        expire_conversation(session, key=thread.conversation_key)
        thread.conversation_key = _new_key(channel)
        thread.channel = channel
        new = True
    try:
        with session.begin_nested():
            _taken(session, message_sid, thread.conversation_key, now)
    except IntegrityError:
        return _duplicate(thread, message_sid)  # the same message, taken by another request meanwhile
    thread.last_message_sid = message_sid
    thread.last_seen_at = now
    return ThreadTurn(thread.conversation_key, new=new, duplicate=False)


def _taken(session: Session, message_sid: str | None, conversation_key: str, now: dt.datetime) -> None:
    if message_sid:
        session.add(ProcessedMessage(message_sid=message_sid, conversation_key=conversation_key, at=now))
        session.flush()


def _duplicate(thread: ChatThread | None, message_sid: str) -> ThreadTurn:
    # Only the pair's latest message may be owed its reply again (Twilio lost it); an older one gets nothing.
    latest = thread is not None and thread.last_message_sid == message_sid
    return ThreadTurn(thread.conversation_key if thread is not None else "", new=False, duplicate=True, latest=latest)
