"""Failed console logins slow down, then lock: per account and per client address, counted in the
database (both keys hashed) so the limits hold across workers and restarts.

Within WINDOW, after FREE failures each further attempt must wait 2^(n - FREE) seconds (at most
MAX_DELAY) after the last failure; at LOCK failures the account (or address) is locked until the
failures age out of the window, or an admin clears the account. A refused attempt is not checked
and not counted. On PostgreSQL the decision is taken under a transaction-scoped advisory lock per
key, so parallel attempts on one account are decided one at a time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from bot.store.models import ConsoleLoginFailure

WINDOW = dt.timedelta(minutes=15)
MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class Limits:
    free: int
    lock: int


ACCOUNT = Limits(free=3, lock=10)
ADDRESS = Limits(free=10, lock=30)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds
    locked: bool = False


def account_key(username: str) -> str:
    return hashlib.sha256(b"console-account:" + username.strip().lower().encode("utf-8")).hexdigest()


def address_key(address: str | None) -> str:
    return hashlib.sha256(b"console-address:" + (address or "unknown").encode("utf-8")).hexdigest()


def serialise(session: Session, *keys: str) -> None:
    """PostgreSQL: wait for other attempts on these keys to finish (SQLite has one writer at a time)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):  # one order everywhere: no deadlock between two keys
        number = int.from_bytes(bytes.fromhex(key)[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def _judge(times: list[dt.datetime], limits: Limits, now: dt.datetime) -> Verdict:
    count = len(times)
    if count >= limits.lock:
        # Locked until the failures that make the lock age out of the window.
        until = sorted(times)[count - limits.lock] + WINDOW
        return Verdict(False, max(1, math.ceil((until - now).total_seconds())), locked=True)
    if count >= limits.free:
        delay = min(2 ** (count - limits.free), MAX_DELAY_SECONDS)
        ready = max(times) + dt.timedelta(seconds=delay)
        if ready > now:
            return Verdict(False, max(1, math.ceil((ready - now).total_seconds())))
    return Verdict(True)


def _failures(session: Session, column, key: str, now: dt.datetime) -> list[dt.datetime]:
    return list(session.scalars(select(ConsoleLoginFailure.at).where(column == key, ConsoleLoginFailure.at > now - WINDOW)))


def decide(session: Session, *, account: str, address: str, now: dt.datetime) -> Verdict:
    """May this attempt be checked now? The stricter of the account's and the address's verdicts."""
    verdicts = [_judge(_failures(session, ConsoleLoginFailure.account, account, now), ACCOUNT, now),
                _judge(_failures(session, ConsoleLoginFailure.address, address, now), ADDRESS, now)]
    refused = [v for v in verdicts if not v.allowed]
    if not refused:
        return Verdict(True)
    return Verdict(False, max(v.retry_after for v in refused), locked=any(v.locked for v in refused))


def record_failure(session: Session, *, account: str, address: str, now: dt.datetime) -> None:
    session.add(ConsoleLoginFailure(account=account, address=address, at=now))
    session.flush()


def clear_account(session: Session, *, account: str) -> int:
    """After a good login, or an admin's unlock: the account's failures stop counting."""
    return session.execute(delete(ConsoleLoginFailure).where(ConsoleLoginFailure.account == account)).rowcount


def locked_accounts(session: Session, *, now: dt.datetime) -> set[str]:
    """Account keys locked now."""
    rows = session.execute(select(ConsoleLoginFailure.account, func.count())
                           .where(ConsoleLoginFailure.at > now - WINDOW).group_by(ConsoleLoginFailure.account))
    return {key for key, count in rows if count >= ACCOUNT.lock}
