"""Console sessions: a random token in an HttpOnly cookie, only its SHA-256 stored. A session ends
after CONSOLE_SESSION_IDLE_MINUTES without a request, or CONSOLE_SESSION_HOURS after sign-in.

CSRF tokens are derived from the session token (HMAC-SHA256), so a page's forms carry a value an
attacker's site can neither read nor compute; the login form does the same with a pre-session cookie.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import ConsoleSession, ConsoleUser, utcnow


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    username: str
    role: str
    token: str  # the raw cookie value (CSRF tokens derive from it)

    @property
    def admin(self) -> bool:
        return self.role == "admin"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start(session: Session, *, user: ConsoleUser, hours: float, clock: Callable[[], dt.datetime] = utcnow) -> str:
    """A new session for the user; returns the token for the cookie (never stored as such)."""
    now = clock()
    token = new_token()
    session.add(ConsoleSession(token_hash=digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                               expires_at=now + dt.timedelta(hours=hours)))
    # Sessions that ended long ago are swept as new ones start.
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now - dt.timedelta(days=1)))
    return token


def resume(session: Session, token: str | None, *, idle_minutes: float,
           clock: Callable[[], dt.datetime] = utcnow) -> SignedIn | None:
    """The signed-in user for this cookie, or None (expired, idle too long, unknown, or the account disabled)."""
    if not token or len(token) > 200:
        return None
    now = clock()
    row = session.execute(select(ConsoleSession, ConsoleUser).join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
                          .where(ConsoleSession.token_hash == digest(token))).first()
    if row is None:
        return None
    stored, user = row
    if not user.active or now >= stored.expires_at or now - stored.last_seen_at >= dt.timedelta(minutes=idle_minutes):
        session.delete(stored)
        return None
    stored.last_seen_at = now
    return SignedIn(user.id, user.username, user.role, token)


def end(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == digest(token)))


def csrf_token(secret: str, purpose: str = "console") -> str:
    return hmac.new(secret.encode("utf-8"), b"csrf:" + purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: str | None, supplied: str | None, purpose: str = "console") -> bool:
    if not secret or not supplied:
        return False
    return hmac.compare_digest(csrf_token(secret, purpose), supplied)
