"""Locked customer numbers: how many locks were set today, and which numbers are locked now.

Locks are kept per customer number, whatever the channel the failures came from, so these figures
are for all channels (the overview says so). A Try-it conversation never writes a lock."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.store.models import Lock
from bot.verification.lockout import SqlLedger
from bot.verification.policy import Lockout

UTC = dt.timezone.utc


@dataclass(frozen=True)
class LockedNumber:
    lock_id: int
    customer_number: str  # for the unlock only: pages and exports show it masked
    locked_at: dt.datetime
    failures: int


def _real_locks():
    # An unlock with no open lock writes a row locked and unlocked at once: it was never a lock.
    return or_(Lock.unlocked_at.is_(None), Lock.unlocked_at != Lock.locked_at)


@dataclass(frozen=True)
class LockCounts:
    day: dt.date  # today, in UTC
    today: int  # locks set on that day
    locked_now: int | None  # numbers the ledger refuses now (None without the lockout policy)


def lock_counts(session: Session, *, now: dt.datetime, lockout: Lockout | None) -> LockCounts:
    day = today(now)
    return LockCounts(day, locks_on(session, day),
                      len(locked_now(session, lockout, now=now)) if lockout is not None else None)


def today(now: dt.datetime) -> dt.date:
    """The UTC day of `now` (a naive time is taken as UTC, as the store writes them)."""
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC).date()


def locks_on(session: Session, day: dt.date) -> int:
    """Locks set on this UTC day (all channels)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc)
    return session.scalar(select(func.count()).select_from(Lock).where(
        Lock.locked_at >= start, Lock.locked_at < start + dt.timedelta(days=1), _real_locks())) or 0


def locked_now(session: Session, lockout: Lockout, *, now: dt.datetime) -> list[LockedNumber]:
    """Open locks whose number the ledger still refuses (a lock lapses when its failures leave the window), oldest first."""
    ledger = SqlLedger(session, lockout, channel="console", conversation_id=None, clock=lambda: now)
    found: dict[str, LockedNumber] = {}
    for lock in session.scalars(select(Lock).where(Lock.unlocked_at.is_(None)).order_by(Lock.locked_at, Lock.id)):
        if lock.customer_number in found:
            continue
        failures = ledger.failures(lock.customer_number)
        if failures >= lockout.threshold:
            found[lock.customer_number] = LockedNumber(lock.id, lock.customer_number, lock.locked_at, failures)
    return list(found.values())
