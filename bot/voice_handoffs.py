"""A voice handoff against the store: recorded when the caller is put through, closed from Twilio's
callback, the conversation carried on when no one took the caller, and what they hear in the queue.

Adapters call this with Twilio's facts already translated (webhooks/voice.py); it knows nothing of HTTP.
"""
from __future__ import annotations

from bot.engine.io import Input
from bot.engine.queue_wait import Hold, hold
from bot.records import State
from bot.store.conversations import find_conversation
from bot.store.db import transaction
from bot.store.handoffs import handoff_ended, handoff_started
from bot.turns import Conversations, Renderer, TurnRecord, TurnResult


class VoiceHandoffs:
    def __init__(self, conversations: Conversations):
        self.conversations = conversations

    def started(self, record: TurnRecord) -> None:
        """An `after` hook for a voice turn: a handoff opens its outcome row, in the turn's transaction."""
        handoff = record.reply.handoff
        if handoff is None or record.input.channel != "voice":
            return
        handoff_started(record.session, conversation_id=record.conversation.id, call_sid=record.input.session_key,
                        department=handoff.department, target=handoff.target.kind, at=self.conversations.clock())

    def ended(self, *, call_sid: str, turn: int, result: str, twilio_status: str | None, wait_seconds: int | None,
              talk_seconds: int | None, caller: str | None, render: Renderer) -> TurnResult | None:
        """Twilio reported how the handoff ended: record it, and let the conversation carry on (the
        alternatives) if no one took the caller. None for a call we do not know."""
        with transaction(self.conversations.database_url) as session:
            if find_conversation(session, key=call_sid) is None:
                return None

        def record(turn_record: TurnRecord) -> None:
            handoff_ended(turn_record.session, call_sid=call_sid, result=result, twilio_status=twilio_status,
                          at=self.conversations.clock(), wait_seconds=wait_seconds, talk_seconds=talk_seconds)
            self.started(turn_record)  # an alternative department is a handoff of its own

        inp = Input(channel="voice", session_key=call_sid, kind="handoff", value=result, caller=caller)
        return self.conversations.handle(inp, turn=turn, render=render, after=record)

    def hold(self, call_sid: str, *, position: int | None, average: int | None, waited: int | None) -> Hold:
        """What the caller hears in the queue now (or that they leave it)."""
        with transaction(self.conversations.database_url) as session:
            conversation = find_conversation(session, key=call_sid)
            bundle = self.conversations.bundle_for(session, conversation.flow_version if conversation else None)
            state = State.from_dict(conversation.state) if conversation is not None else None
        return hold(bundle, state, position=position, average=average, waited=waited)
