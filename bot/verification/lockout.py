"""Failed verifications counted per customer number across calls and channels, and the lock they
cause; and per origin (caller ID, client address) for velocity limits.

Each failure is its own inserted row, and failures on one number are serialised (a transaction-
scoped advisory lock on PostgreSQL; SQLite has one writer at a time), so concurrent failures are
each counted exactly once and exactly one of them creates the lock row. A number is locked while
the failures in the window since its last unlock reach the threshold; unknown numbers are counted
the same way, so a lock says nothing about whether a number exists.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from bot.store.models import FailedAttempt, Lock, utcnow
from bot.verification.audit import record_unlock
from bot.verification.policy import Lockout
from bot.verification.policy_file import Limit, Velocity


def _advisory_key(number: str) -> int:
    return int.from_bytes(hashlib.sha256(b"failed-attempts:" + number.encode("utf-8")).digest()[:8], "big", signed=True)


class SqlLedger:
    def __init__(self, session: Session, lockout: Lockout, *, channel: str, conversation_id: str | None,
                 clock: Callable[[], dt.datetime] = utcnow, origin: str | None = None,
                 velocity: Velocity | None = None):
        self.session = session
        self.lockout = lockout
        self.channel = channel
        self.conversation_id = conversation_id
        self.clock = clock
        self.origin = origin
        self.velocity = velocity or Velocity()

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

    def _limit(self) -> Limit | None:
        if self.origin is None:
            return None
        return self.velocity.client_address if self.origin.startswith("client:") else self.velocity.caller_id

    def too_fast(self) -> bool:
        """This origin's failures in its window, across every number it tried, reached the limit."""
        limit = self._limit()
        if limit is None:
            return False
        since = self.clock() - dt.timedelta(minutes=limit.window_minutes)
        count = self.session.scalar(
            select(func.count()).select_from(FailedAttempt)
            .where(FailedAttempt.origin == self.origin, FailedAttempt.at > since)) or 0
        return count >= limit.threshold

    def lock_reason(self, number: str) -> str | None:
        if self.failures(number) >= self.lockout.threshold:
            return "locked"
        return "velocity" if self.too_fast() else None

    def record_failure(self, number: str) -> bool:
        """Count one failure; True when verification is refused after it (number locked or origin too fast)."""
        if self.session.get_bind().dialect.name == "postgresql":
            # Until this transaction ends, other failures on the number wait here: each sees the ones before.
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _advisory_key(number)})
        self.session.add(FailedAttempt(customer_number=number, channel=self.channel, origin=self.origin,
                                       conversation_id=self.conversation_id, at=self.clock()))
        self.session.flush()
        count = self.failures(number)
        if count == self.lockout.threshold:
            # The lock row is the record an agent sees and clears; the count alone decides.
            self.session.add(Lock(customer_number=number, locked_at=self.clock()))
        return count >= self.lockout.threshold or self.too_fast()


def unlock(session: Session, number: str, *, by: str, reason: str, clock: Callable[[], dt.datetime] = utcnow) -> int:
    """Clear a lock, with an audit record; failures before now stop counting. Returns how many open locks were closed."""
    now = clock()
    result = session.execute(
        update(Lock).where(Lock.customer_number == number, Lock.unlocked_at.is_(None))
        .values(unlocked_at=now, unlocked_by=by, unlock_reason=reason))
    if result.rowcount == 0:
        # Record the unlock even with no open lock row, so counting restarts from now.
        session.add(Lock(customer_number=number, locked_at=now, unlocked_at=now, unlocked_by=by, unlock_reason=reason))
    record_unlock(session, number, by=by, reason=reason, clock=lambda: now)
    return result.rowcount
