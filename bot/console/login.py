"""One login attempt, decided in one transaction: throttled first, then the password checked."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.console import audit, sessions, throttle, users
from bot.console.passwords import hash_password, needs_rehash, verify_password
from bot.store.models import utcnow


@dataclass(frozen=True)
class LoginResult:
    token: str | None  # the new session's cookie value when signed in
    retry_after: int = 0  # refused without checking: wait this long
    locked: bool = False


def attempt(session: Session, *, username: str, password: str, address: str | None, session_hours: float,
            clock: Callable[[], dt.datetime] = utcnow) -> LoginResult:
    now = clock()
    account, origin = throttle.account_key(username), throttle.address_key(address)
    throttle.serialise(session, account, origin)
    verdict = throttle.decide(session, account=account, address=origin, now=now)
    if not verdict.allowed:
        return LoginResult(None, verdict.retry_after, verdict.locked)
    user = users.find(session, username) if len(username) <= 80 else None
    # Unknown, disabled and wrong-password attempts cost the same time and get the same answer.
    good = verify_password(user.password_hash if user else None, password[:1024])
    if not good or user is None or not user.active:
        throttle.record_failure(session, account=account, address=origin, now=now)
        return LoginResult(None)
    throttle.clear_account(session, account=account)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    audit.record(session, actor=user.username, action="login", clock=clock)
    return LoginResult(sessions.start(session, user=user, hours=session_hours, clock=clock))
