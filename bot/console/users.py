"""Console accounts: supervisors and admins. Keyword-only functions over one session."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console import audit
from bot.console.passwords import check_strength, hash_password
from bot.store.models import ConsoleSession, ConsoleUser, utcnow

ROLES = ("supervisor", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class UserError(ValueError):
    pass


def normalise(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise(username)
    if not _NAME.match(name):
        raise UserError("a username is 2 to 40 characters: lower-case letters, digits, '.', '_' or '-'")
    return name


def find(session: Session, username: str) -> ConsoleUser | None:
    return session.scalar(select(ConsoleUser).where(ConsoleUser.username == normalise(username)))


def add(session: Session, *, username: str, role: str, password: str, by: str,
        clock: Callable[[], dt.datetime] = utcnow) -> ConsoleUser:
    name = check_username(username)
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    check_strength(password, username=name)
    if find(session, name) is not None:
        raise UserError(f"user {name!r} already exists")
    user = ConsoleUser(username=name, role=role, password_hash=hash_password(password), active=True,
                       created_at=clock())
    session.add(user)
    session.flush()
    audit.record(session, actor=by, action="user-add", target=name, detail=f"role {role}", clock=clock)
    return user


def listing(session: Session) -> list[ConsoleUser]:
    return list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.username)))


def set_active(session: Session, *, username: str, active: bool, by: str,
               clock: Callable[[], dt.datetime] = utcnow) -> ConsoleUser:
    """Disable (ending every session at once) or enable an account."""
    user = find(session, username)
    if user is None:
        raise UserError(f"no user {normalise(username)!r}")
    if user.active == active:
        return user
    user.active = active
    user.disabled_at = None if active else clock()
    if not active:
        session.query(ConsoleSession).filter(ConsoleSession.user_id == user.id).delete()
    audit.record(session, actor=by, action="user-enable" if active else "user-disable", target=user.username,
                 clock=clock)
    return user
