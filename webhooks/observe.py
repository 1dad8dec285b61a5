"""What the adapters tell operators about a turn: one call before it (whose call it is, for the logs)
and one after it (metrics from the result they already got back, and the conversation id for the logs).
"""
from __future__ import annotations

import contextvars
import time
from typing import Any

from fastapi import Request
from sqlalchemy import event

from bot import metrics
from bot.logging_setup import bind
from bot.store.models import Conversation


# Set while a webhook runs a turn: only then does loading a conversation name it in the logs
# (a report or a CLI command loads many).
_in_turn: contextvars.ContextVar[bool] = contextvars.ContextVar("in_turn", default=False)


def turn_started(request: Request, *, call_sid: str | None = None) -> None:
    request.state.turn_started = time.perf_counter()
    _in_turn.set(True)
    bind(call_sid=call_sid)


def turn_done(request: Request, channel: str, result: Any) -> None:
    """`result`: the TurnResult or ChatTurn the adapter got back (its `reply` is None for a replayed turn)."""
    conversation_id = getattr(result, "conversation_id", None)
    if conversation_id:
        bind(conversation_id=conversation_id)
    reply = getattr(result, "reply", None)
    if reply is None:
        return  # a retry answered from the stored reply: no turn ran
    started = getattr(request.state, "turn_started", None)
    metrics.record_turn(channel, time.perf_counter() - started if started is not None else None,
                        handoff=reply.handoff.department if reply.handoff is not None else None,
                        ended=bool(reply.end))


def turn_failed(request: Request, channel: str) -> None:
    metrics.record_turn_error(channel)


# The turn's own log lines (bot/turns) are written before the adapter gets its result back: the
# conversation id is bound as soon as the turn loads or creates the conversation's row, in the
# request's context (or the thread pool's copy of it, for the lines written there).
@event.listens_for(Conversation, "load")
def _loaded(conversation: Conversation, _context) -> None:
    if _in_turn.get():
        bind(conversation_id=conversation.id)


@event.listens_for(Conversation, "after_insert")
def _created(_mapper, _connection, conversation: Conversation) -> None:
    if _in_turn.get():
        bind(conversation_id=conversation.id)
