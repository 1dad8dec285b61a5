"""Failed verifications counted per customer number across calls and channels, the lock they cause,
and velocity limits per origin (caller ID, client address); and the decision that reads them.

Every decision is taken under the number's lock and then the origin's (transaction-scoped advisory
locks on PostgreSQL, always in that order; on SQLite a turn's transaction holds the database's one
write lock from its start, see bot.store.db), and re-reads the failures at that moment. So however
many sessions wait at the questions on one number, at once or one after another, through one server
or several, exactly `threshold` failures count, exactly one of them writes the lock row, and nobody is
verified once the number is locked. A number is locked while the failures in the window since its
last unlock reach the threshold; unknown numbers are counted the same way, so a lock says nothing
about whether a number exists.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.records import Decision
from bot.store.db import serialise
from bot.store.models import FailedAttempt, Lock, utcnow
from bot.verification.audit import record_unlock
from bot.verification.policy import Lockout
from bot.verification.policy_file import Limit, Velocity
from bot.verification.velocity import WITHHELD_PREFIX, is_withheld_origin


# The customer number a failed attempt is recorded under when the details matched no customer.
UNMATCHED = "(no match)"


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
        # Numbers this ledger locked (the failure that reached the threshold): their customers are told.
        self.new_locks: list[str] = []

    def _failures_query(self, number: str, now: dt.datetime):
        """Failures on the number in the window, and since its last unlock: one statement."""
        since = now - dt.timedelta(hours=self.lockout.window_hours)
        last_unlock = select(func.max(Lock.unlocked_at)).where(Lock.customer_number == number).scalar_subquery()
        return (select(func.count()).select_from(FailedAttempt)
                .where(FailedAttempt.customer_number == number, FailedAttempt.at > since,
                       FailedAttempt.at > func.coalesce(last_unlock, since)))

    def failures(self, number: str) -> int:
        return self.session.scalar(self._failures_query(number, self.clock())) or 0

    def _limit(self) -> Limit | None:
        if self.origin is None:
            return None
        return self.velocity.client_address if self.origin.startswith("client:") else self.velocity.caller_id

    def _velocity_checks(self, now: dt.datetime) -> list[tuple[object, int]]:
        """(count of failures, threshold) for this origin, and for all withheld callers together when it is one."""
        limit = self._limit()
        if limit is None:
            return []
        checks = [(self._count_since(FailedAttempt.origin == self.origin, now, limit.window_minutes), limit.threshold)]
        if is_withheld_origin(self.origin):
            pooled = self.velocity.withheld
            checks.append((self._count_since(FailedAttempt.origin.startswith(WITHHELD_PREFIX, autoescape=True), now,
                                             pooled.window_minutes), pooled.threshold))
        return checks

    @staticmethod
    def _count_since(where, now: dt.datetime, minutes: float):
        return select(func.count()).select_from(FailedAttempt).where(where, FailedAttempt.at > now - dt.timedelta(minutes=minutes))

    def _counts(self, queries: list) -> list[int]:
        """Several counts in one round trip."""
        if not queries:
            return []
        return [value or 0 for value in self.session.execute(select(*(q.scalar_subquery() for q in queries))).one()]

    def too_fast(self) -> bool:
        """This origin's failures in its window, across every number it tried, reached the limit; for a
        withheld caller ID (an origin per call), the failures of all withheld callers together reached theirs."""
        checks = self._velocity_checks(self.clock())
        counts = self._counts([query for query, _ in checks])
        return any(count >= threshold for count, (_, threshold) in zip(counts, checks))

    def lock_reason(self, number: str) -> str | None:
        # The number's failures and the origin's velocity in one statement (asked on every number claimed).
        now = self.clock()
        checks = self._velocity_checks(now)
        failures, *velocity = self._counts([self._failures_query(number, now)] + [query for query, _ in checks])
        if failures >= self.lockout.threshold:
            return "locked"
        return "velocity" if any(count >= threshold for count, (_, threshold) in zip(velocity, checks)) else None

    def _serialise(self, number: str) -> None:
        names = [("failed-attempts", number)]
        if self.origin is not None:
            names.append(("origin", self.origin))
            if is_withheld_origin(self.origin):
                names.append(("origin", WITHHELD_PREFIX))
        serialise(self.session, *names)

    def decide(self, number: str, *, passed: bool, recovered: bool = False) -> Decision:
        # Until this transaction ends, every other decision on this number (and from this origin)
        # waits here, and then sees this one.
        self._serialise(number)
        refused = None if recovered else self.lock_reason(number)
        if refused is not None:
            return Decision("refused", refused)
        if passed:
            return Decision("verified")
        self.session.add(FailedAttempt(customer_number=number, channel=self.channel, origin=self.origin,
                                       conversation_id=self.conversation_id, at=self.clock()))
        self.session.flush()
        count = self.failures(number)
        if count == self.lockout.threshold:
            # The lock row is the record an agent sees and clears; the count alone decides.
            self.session.add(Lock(customer_number=number, locked_at=self.clock()))
            self.new_locks.append(number)
        if count >= self.lockout.threshold:
            return Decision("failed", "locked", locks=True)
        if self.too_fast():
            return Decision("failed", "velocity", locks=True)
        return Decision("failed")


    def fail_unmatched(self) -> Decision:
        """Details that matched no customer (recovering a number): counted against this origin's velocity;
        the row's number says no number was matched, so no lockout ever counts it."""
        if self.origin is not None:
            names = [("origin", self.origin)] + ([("origin", WITHHELD_PREFIX)] if is_withheld_origin(self.origin) else [])
            serialise(self.session, *names)
        if self.too_fast():
            return Decision("refused", "velocity")
        self.session.add(FailedAttempt(customer_number=UNMATCHED, channel=self.channel, origin=self.origin,
                                       conversation_id=self.conversation_id, at=self.clock()))
        self.session.flush()
        return Decision("failed", "velocity", locks=True) if self.too_fast() else Decision("failed")


def unlock(session: Session, number: str, *, by: str, reason: str, clock: Callable[[], dt.datetime] = utcnow) -> int:
    """Clear a lock, with an audit record; failures before now stop counting. Returns how many open locks were closed."""
    now = clock()
    serialise(session, ("failed-attempts", number))
    result = session.execute(
        update(Lock).where(Lock.customer_number == number, Lock.unlocked_at.is_(None))
        .values(unlocked_at=now, unlocked_by=by, unlock_reason=reason))
    if result.rowcount == 0:
        # Record the unlock even with no open lock row, so counting restarts from now.
        session.add(Lock(customer_number=number, locked_at=now, unlocked_at=now, unlocked_by=by, unlock_reason=reason))
    record_unlock(session, number, by=by, reason=reason, clock=lambda: now)
    return result.rowcount
