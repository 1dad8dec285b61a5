"""`bot data purge`: what is kept only as long as RETENTION_DAYS says.

Conversation rows (their state, stored reply and events), chat transcripts, web chat sessions,
SMS/WhatsApp threads and the MessageSids taken, agent-desk deliveries that are done with (delivered
or dead), rate-limit hits, voicemail records and callbacks already worked. Failed attempts and locks
go too, but never while they still count towards a lockout. The audit trail of verification
decisions (append-only) and the customer directory are kept.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from bot.store.models import (CallbackRequest, ChatMessage, ChatSession, ChatThread, Conversation, DeskDelivery, Event,
                              FailedAttempt, Lock, ProcessedMessage, RateLimitHit, Voicemail)

BATCH = 500


def purge(session: Session, *, now: dt.datetime, days: int, lockout_window_hours: float) -> dict[str, int]:
    """Delete what is older than `days`; returns the rows deleted per table."""
    cutoff = now - dt.timedelta(days=days)
    # A failure inside the lockout window still counts: it stays, whatever the retention.
    counting = min(cutoff, now - dt.timedelta(hours=lockout_window_hours))
    deleted = {"conversations": 0, "events": 0, "chat_messages": 0}
    while True:
        ids = list(session.scalars(select(Conversation.id).where(Conversation.updated_at < cutoff).limit(BATCH)))
        if not ids:
            break
        deleted["events"] += _delete(session, delete(Event).where(Event.conversation_id.in_(ids)))
        deleted["chat_messages"] += _delete(session, delete(ChatMessage).where(ChatMessage.conversation_id.in_(ids)))
        deleted["conversations"] += _delete(session, delete(Conversation).where(Conversation.id.in_(ids)))
    deleted["chat_sessions"] = _delete(session, delete(ChatSession).where(ChatSession.last_seen_at < cutoff))
    deleted["chat_threads"] = _delete(session, delete(ChatThread).where(ChatThread.last_seen_at < cutoff))
    deleted["processed_messages"] = _delete(session, delete(ProcessedMessage).where(ProcessedMessage.at < cutoff))
    deleted["desk_deliveries"] = _delete(session, delete(DeskDelivery).where(
        DeskDelivery.created_at < cutoff, DeskDelivery.status != "pending"))
    deleted["rate_limit_hits"] = _delete(session, delete(RateLimitHit).where(RateLimitHit.at < cutoff))
    deleted["voicemails"] = _delete(session, delete(Voicemail).where(Voicemail.left_at < cutoff))
    deleted["callback_requests"] = _delete(session, delete(CallbackRequest).where(
        CallbackRequest.requested_at < cutoff, CallbackRequest.status != "open"))
    deleted["failed_attempts"] = _delete(session, delete(FailedAttempt).where(FailedAttempt.at < counting))
    deleted["locks"] = _delete(session, delete(Lock).where(
        Lock.locked_at < counting, or_(Lock.unlocked_at.is_(None), and_(Lock.unlocked_at < counting))))
    return deleted


def _delete(session: Session, statement) -> int:
    return session.execute(statement).rowcount or 0
