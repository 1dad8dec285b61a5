"""The append-only audit trail of verification decisions: factors asked and passed, never answers."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.store.models import VerificationDecision, utcnow


class SqlAuditLog:
    def __init__(self, session: Session, *, channel: str, conversation_id: str, flow_version: str | None,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.session = session
        self.channel = channel
        self.conversation_id = conversation_id
        self.flow_version = flow_version
        self.clock = clock

    def record(self, *, customer_number: str | None, factors_asked: list[str], factors_passed: list[str],
               result: str, reason: str | None) -> None:
        self.session.add(VerificationDecision(
            at=self.clock(), channel=self.channel, conversation_id=self.conversation_id,
            customer_number=customer_number, factors_asked=list(factors_asked),
            factors_passed=list(factors_passed), result=result, reason=reason, flow_version=self.flow_version))
