"""Failed verifications counted per customer number across calls and channels, and the lock they cause.

Each failure is its own inserted row, so concurrent failures are all counted (no read-modify-write).
A number is locked while the failures in the window since its last unlock reach the threshold;
unknown numbers are counted the same way, so a lock says nothing about whether a number exists.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.store.models import FailedAttempt, Lock, utcnow
from bot.verification.policy import Lockout


class SqlLedger:
    def __init__(self, session: Session, lockout: Lockout, *, channel: str, conversation_id: str | None,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.session = session
        self.lockout = lockout
        self.channel = channel
        self.conversation_id = conversation_id
        self.clock = clock

    def failures(self, number: str) -> int:
        now = self.clock()
        since = now - dt.timedelta(hours=self.lockout.window_hours)
        last_unlock = self.session.scalar(
            select(func.max(Lock.unlocked_at)).where(Lock.customer_number == number))
        if last_unlock is not None and last_unlock > since:
            since = last_unlock
        return self.session.scalar(
            select(func.count()).select_from(FailedAttempt)
            .where(FailedAttempt.customer_number == number, FailedAttempt.at > since)) or 0

    def is_locked(self, number: str) -> bool:
        return self.failures(number) >= self.lockout.threshold

    def record_failure(self, number: str) -> bool:
        self.session.add(FailedAttempt(customer_number=number, channel=self.channel,
                                       conversation_id=self.conversation_id, at=self.clock()))
        self.session.flush()
        count = self.failures(number)
        if count == self.lockout.threshold:
            # The lock row is the record an agent sees and clears; the count alone decides.
            self.session.add(Lock(customer_number=number, locked_at=self.clock()))
        return count >= self.lockout.threshold


def unlock(session: Session, number: str, *, by: str, reason: str, clock: Callable[[], dt.datetime] = utcnow) -> int:
    """Clear a lock; failures before now stop counting. Returns how many open locks were closed."""
    now = clock()
    result = session.execute(
        update(Lock).where(Lock.customer_number == number, Lock.unlocked_at.is_(None))
        .values(unlocked_at=now, unlocked_by=by, unlock_reason=reason))
    if result.rowcount == 0:
        # Record the unlock even with no open lock row, so counting restarts from now.
        session.add(Lock(customer_number=number, locked_at=now, unlocked_at=now, unlocked_by=by, unlock_reason=reason))
    return result.rowcount
