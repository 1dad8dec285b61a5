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

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.records import Decision
from bot.store.db import serialise
from bot.store.driver_sql import driver_sql
from bot.store.models import FailedAttempt, Lock, utcnow
from bot.verification.audit import record_unlock
from bot.verification.policy import Lockout
from bot.verification.policy_file import Limit, Velocity
from bot.verification.velocity import WITHHELD_PREFIX, is_withheld_origin


# The customer number a failed attempt is recorded under when the details matched no customer.
UNMATCHED = "(no match)"

_FAILURES = ("(SELECT count(*) FROM failed_attempts WHERE customer_number = :number AND at > :since AND "
             "at > coalesce((SELECT max(unlocked_at) FROM locks WHERE customer_number = :number), :since))")
_ORIGIN_FAILURES = "(SELECT count(*) FROM failed_attempts WHERE origin = :origin AND at > :origin_since)"
_POOLED_FAILURES = "(SELECT count(*) FROM failed_attempts WHERE origin LIKE :pool ESCAPE '/' AND at > :pool_since)"


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern for values starting with `prefix`, its own % and _ taken literally."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


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

    # Counted on every number claimed and at every decision: fixed statements on the driver
    # (bot.store.driver_sql), several counts in one round trip. Each part is (SQL, parameters).
    def _failures_query(self, number: str, now: dt.datetime) -> tuple[str, dict]:
        """Failures on the number in the window, and since its last unlock."""
        return _FAILURES, {"number": number, "since": now - dt.timedelta(hours=self.lockout.window_hours)}

    def failures(self, number: str) -> int:
        return self._counts([self._failures_query(number, self.clock())])[0]

    def _limit(self) -> Limit | None:
        if self.origin is None:
            return None
        return self.velocity.client_address if self.origin.startswith("client:") else self.velocity.caller_id

    def _velocity_checks(self, now: dt.datetime) -> list[tuple[tuple[str, dict], int]]:
        """(count of failures, threshold) for this origin, and for all withheld callers together when it is one."""
        limit = self._limit()
        if limit is None:
            return []
        checks = [((_ORIGIN_FAILURES, {"origin": self.origin,
                                       "origin_since": now - dt.timedelta(minutes=limit.window_minutes)}),
                   limit.threshold)]
        if is_withheld_origin(self.origin):
            pooled = self.velocity.withheld
            checks.append(((_POOLED_FAILURES, {"pool": _like_prefix(WITHHELD_PREFIX),
                                               "pool_since": now - dt.timedelta(minutes=pooled.window_minutes)}),
                           pooled.threshold))
        return checks

    def _counts(self, queries: list[tuple[str, dict]]) -> list[int]:
        """Several counts in one round trip."""
        if not queries:
            return []
        sql = driver_sql(self.session)
        stamp = sql.codec(FailedAttempt.__table__).bind["at"]
        params = {}
        for _, values in queries:
            params.update({name: stamp(value) if stamp is not None and isinstance(value, dt.datetime) else value
                           for name, value in values.items()})
        row = sql.one("SELECT " + ", ".join(part for part, _ in queries), params)
        return [value or 0 for value in row]

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
        self._record_failure(number)
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
        self._record_failure(UNMATCHED)
        return Decision("failed", "velocity", locks=True) if self.too_fast() else Decision("failed")

    def _record_failure(self, number: str) -> None:
        driver_sql(self.session).insert(FailedAttempt.__table__, {
            "customer_number": number, "channel": self.channel, "origin": self.origin,
            "conversation_id": self.conversation_id, "at": self.clock()})


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
