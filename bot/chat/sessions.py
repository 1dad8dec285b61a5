"""Web chat sessions: a random id, a bearer token stored only as its SHA-256, and idle expiry."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat.idle import expire_conversation, is_idle
from bot.store.conversations import find_conversation
from bot.store.models import ChatSession

_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
# Compared against when the session id is unknown, so a wrong id takes as long as a wrong token.
_NO_SESSION_HASH = hashlib.sha256(b"no such session").hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewSession:
    session_id: str
    token: str  # shown once, to the browser; only its hash is stored
    conversation_key: str


@dataclass(frozen=True)
class Access:
    session_id: str
    conversation_key: str
    expired: bool
    # The chat is over (handed to a colleague, or ended): its token opens nothing any more.
    ended: bool = False


def create_session(session: Session, *, now: dt.datetime) -> NewSession:
    session_id = secrets.token_hex(16)
    token = secrets.token_urlsafe(32)
    key = f"web:{session_id}"
    session.add(ChatSession(id=session_id, token_hash=hash_token(token), conversation_key=key,
                            created_at=now, last_seen_at=now))
    session.flush()
    return NewSession(session_id, token, key)


def authenticate(session: Session, *, session_id: str, token: str | None, now: dt.datetime,
                 idle_minutes: int) -> Access | None:
    """The session if the token is its own, else None: the caller cannot tell an unknown id from a wrong token.

    A valid token on a session idle for too long closes its conversation and comes back `expired`; on a
    chat already handed over or ended it comes back `ended`; otherwise the session's idle clock restarts."""
    row = None
    if _SESSION_ID.match(session_id or ""):
        row = session.scalar(select(ChatSession).where(ChatSession.id == session_id).with_for_update())
    expected = row.token_hash if row is not None else _NO_SESSION_HASH
    given = hash_token(token or "")
    if not hmac.compare_digest(expected, given) or row is None or not token:
        return None
    conversation = find_conversation(session, key=row.conversation_key)
    if conversation is not None and conversation.status == "closed" and conversation.end_reason != "expired":
        return Access(row.id, row.conversation_key, expired=False, ended=True)
    if is_idle(row.last_seen_at, now=now, idle_minutes=idle_minutes):
        expire_conversation(session, key=row.conversation_key)
        return Access(row.id, row.conversation_key, expired=True)
    row.last_seen_at = now
    return Access(row.id, row.conversation_key, expired=False)
