"""The append-only audit trail of verification decisions: factors asked and passed, never answers.

The table refuses UPDATE and DELETE (database triggers, migration 0005), so what is written here stays.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot import metrics
from bot.store.driver_sql import driver_sql
from bot.store.models import VerificationDecision, utcnow


class SqlAuditLog:
    def __init__(self, session: Session, *, channel: str, conversation_id: str, flow_version: str | None,
                 session_key: str | None = None, clock: Callable[[], dt.datetime] = utcnow):
        self.session = session
        self.channel = channel
        self.conversation_id = conversation_id
        self.flow_version = flow_version
        self.session_key = session_key
        self.clock = clock

    def record(self, *, customer_number: str | None, factors_asked: list[str], factors_passed: list[str],
               result: str, reason: str | None) -> None:
        # Written on the driver (bot.store.driver_sql), as a turn's other hot statements are.
        driver_sql(self.session).insert(VerificationDecision.__table__, dict(
            at=self.clock(), channel=self.channel, conversation_id=self.conversation_id,
            session_key=self.session_key, customer_number=customer_number, factors_asked=list(factors_asked),
            factors_passed=list(factors_passed), result=result, reason=reason, flow_version=self.flow_version,
            actor=None))
        metrics.record_verification(result)


def record_unlock(session: Session, number: str, *, by: str, reason: str,
                  clock: Callable[[], dt.datetime] = utcnow) -> None:
    """An agent's unlock, in the same trail as the bot's decisions."""
    session.add(VerificationDecision(at=clock(), channel="cli", conversation_id=None, customer_number=number,
                                     factors_asked=[], factors_passed=[], result="unlocked", reason=reason[:200],
                                     actor=by[:80]))
