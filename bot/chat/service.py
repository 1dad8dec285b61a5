"""One chat message through the engine: find or start the conversation (web session or SMS/WhatsApp thread),
run the turn, keep the transcript, and queue a handoff for the agent desk.

Adapters call this with text and get the rendered reply back; they never touch the store.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.chat import desk, ratelimit, sessions, threads, transcript
from bot.chat.desk import AgentDesk
from bot.chat.render import chat_text
from bot.engine.io import Input, OutgoingText, Reply
from bot.store.db import serialise, transaction
from bot.store.models import Conversation, utcnow
from bot.turns import TurnRecord, Conversations, Renderer


# Control characters other than tab and newline: PostgreSQL refuses NUL, and none of them means anything in a chat.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Text as typed, safe to store: lone surrogates (valid JSON, invalid UTF-8) and control characters removed."""
    return _CONTROL.sub("", text.encode("utf-8", "replace").decode("utf-8")).strip()


@dataclass(frozen=True)
class ChatTurn:
    body: str  # the rendered reply, as stored with the turn
    reply: Reply | None  # None when a stored reply was sent again
    conversation_id: str | None
    delivery_id: str | None = None  # a handoff waiting to be posted to the agent desk
    texts: tuple[OutgoingText, ...] = ()  # to send after the reply (a lock notice)


class _Limited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


class ChatService:
    def __init__(self, conversations: Conversations, agent_desk: AgentDesk, *, idle_minutes: int,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.conversations = conversations
        self.desk = agent_desk
        self.idle_minutes = idle_minutes
        self.clock = clock

    @property
    def database_url(self) -> str:
        return self.conversations.database_url

    # -- SMS and WhatsApp -----------------------------------------------------------------
    def message(self, *, channel: str, customer: str, ours: str, message_sid: str | None, text: str,
                render: Renderer) -> ChatTurn:
        with transaction(self.database_url) as session:
            thread = threads.open_thread(session, channel=channel, customer=customer, ours=ours,
                                         message_sid=message_sid, now=self.clock(), idle_minutes=self.idle_minutes)
        if thread.duplicate:
            # Twilio may deliver the latest message again when our reply was lost: it gets that reply,
            # while its conversation is still going. Anything else taken before is answered with nothing.
            stored = self._stored(thread.conversation_key) if thread.latest else None
            return ChatTurn(stored if stored is not None else render(Reply(), 0), None, None)
        inp = Input(channel=channel, session_key=thread.conversation_key, kind="start" if thread.new else "text",
                    value=clean(text), caller=customer, called=ours)
        return self.run(inp, render=render, reply_to={"address": customer, "from": ours})

    # -- web chat ---------------------------------------------------------------------------
    def start_web(self, *, render: Renderer, window_seconds: int = 3600,
                  client_address: str | None = None) -> tuple[sessions.NewSession, ChatTurn]:
        with transaction(self.database_url) as session:
            new = sessions.create_session(session, now=self.clock())
            # A new chat is a good moment to tidy: other sessions' expired rate-limit hits go.
            ratelimit.prune(session, now=self.clock(), window_seconds=window_seconds)
        inp = Input(channel="web", session_key=new.conversation_key, kind="start")
        # The address is hashed into the conversation's origin: velocity limits count failures by it.
        return new, self.run(inp, render=render, reply_to={"session_id": new.session_id}, client_address=client_address)

    def web_access(self, *, session_id: str, token: str | None) -> sessions.Access | None:
        with transaction(self.database_url) as session:
            return sessions.authenticate(session, session_id=session_id, token=token, now=self.clock(),
                                         idle_minutes=self.idle_minutes)

    def web_message(self, access: sessions.Access, *, text: str, render: Renderer) -> ChatTurn:
        inp = Input(channel="web", session_key=access.conversation_key, kind="text", value=clean(text))
        return self.run(inp, render=render, reply_to={"session_id": access.session_id})

    def throttle(self, limits: list[tuple[str, int]], *, window_seconds: int) -> int | None:
        """Count this request against every (bucket, limit); None if all allow it, else seconds to wait."""
        try:
            with transaction(self.database_url) as session:
                now = self.clock()
                # Every bucket locked first, in one order: two requests never wait on each other.
                serialise(session, *sorted(("rate-limit", bucket) for bucket, _ in limits))
                for bucket, limit in limits:
                    wait = ratelimit.take(session, bucket=bucket, limit=limit, window_seconds=window_seconds, now=now)
                    if wait is not None:
                        raise _Limited(wait)  # rolls back the hits already counted for this request
        except _Limited as limited:
            return limited.retry_after
        return None

    # -- every chat channel ---------------------------------------------------------------------
    def run(self, inp: Input, *, render: Renderer, reply_to: dict[str, Any], client_address: str | None = None) -> ChatTurn:
        def record(turn: TurnRecord) -> str | None:
            # In the turn's own transaction, on the conversation's own flow version: the transcript
            # and the handoff are saved with the turn or not at all.
            return self._record(turn, reply_to=reply_to)

        result = self.conversations.handle(inp, turn=None, render=render, client_address=client_address, after=record)
        if result.replayed or result.reply is None:
            return ChatTurn(result.body, None, result.conversation_id)
        return ChatTurn(result.body, result.reply, result.conversation_id, result.extra, result.texts)

    def _record(self, turn: TurnRecord, *, reply_to: dict[str, Any]) -> str | None:
        """The transcript lines of this turn, and the desk delivery when it hands over; the delivery id to post."""
        session, conversation, reply, inp = turn.session, turn.conversation, turn.reply, turn.input
        now = self.clock()
        said = inp.value.strip()
        transcript.add(session, conversation_id=conversation.id, sender="customer", text=said,
                       withheld=transcript.asks_for_answer(turn.bundle, turn.before) and bool(said), at=now,
                       kept_out=reply.withhold_input)
        transcript.add(session, conversation_id=conversation.id, sender="bot", text=chat_text(reply, for_record=True),
                       withheld=transcript.reads_back_answer(turn.bundle, turn.state.to_dict()), at=now)
        if reply.handoff is None:
            return None
        session.flush()
        payload = {
            "type": "chat.handoff",
            "conversation_id": conversation.id,
            "channel": inp.channel,
            "department": reply.handoff.department,
            "target": {"kind": reply.handoff.target.kind, "address": reply.handoff.target.address},
            "context": reply.handoff.context,
            "reply_to": reply_to,
            "transcript": transcript.load(session, conversation_id=conversation.id),
            "created_at": now.isoformat(),
        }
        delivery = desk.enqueue(session, conversation_id=conversation.id, payload=payload,
                                configured=self.desk.configured, now=now)
        return delivery.id if delivery.status == "pending" else None

    def _stored(self, key: str) -> str | None:
        with transaction(self.database_url, read_only=True) as session:
            conversation = session.scalar(select(Conversation).where(Conversation.session_key == key))
            return conversation.last_response if conversation is not None and conversation.status != "closed" else None
