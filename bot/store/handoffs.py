"""Handoff outcome rows: one per voice handoff, opened when the caller is handed over and closed from
Twilio's callback (the <Dial> or <Enqueue> action). Small keyword-only functions over one session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.driver_sql import driver_sql
from bot.store.models import HandoffOutcome


def handoff_started(session: Session, *, conversation_id: str, call_sid: str, department: str, target: str,
                    at: dt.datetime) -> None:
    # Written in the handoff turn's transaction, on the driver as the turn's own rows are (bot.store.driver_sql):
    # an ORM object here made the handoff turn's commit run a unit-of-work flush for this one row.
    driver_sql(session).insert(HandoffOutcome.__table__, {
        "conversation_id": conversation_id, "call_sid": call_sid, "department": department, "target": target,
        "started_at": at, "result": "pending"})


def handoff_ended(session: Session, *, call_sid: str, result: str, twilio_status: str | None, at: dt.datetime,
                  wait_seconds: int | None = None, talk_seconds: int | None = None) -> HandoffOutcome | None:
    """Close the call's open handoff; None when there is none (an unknown call, or a callback seen twice)."""
    row = session.scalar(select(HandoffOutcome).where(HandoffOutcome.call_sid == call_sid,
                                                      HandoffOutcome.result == "pending")
                         .order_by(HandoffOutcome.id.desc()).limit(1))
    if row is None:
        return None
    started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=dt.timezone.utc)
    elapsed = max(0, int((at - started).total_seconds()))
    row.result = result
    row.twilio_status = (twilio_status or "")[:40] or None
    row.ended_at = at
    row.talk_seconds = talk_seconds
    # Twilio reports the time in a queue (QueueTime); for a <Dial> the wait is the ringing: what the call
    # lasted beyond the conversation with the agent.
    row.wait_seconds = wait_seconds if wait_seconds is not None else max(0, elapsed - (talk_seconds or 0))
    return row
