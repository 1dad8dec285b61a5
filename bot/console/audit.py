"""The console audit: who did what, and when. Append-only (the database refuses updates and deletes)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import ConsoleAuditEntry, utcnow


def record(session: Session, *, actor: str, action: str, target: str | None = None, detail: str | None = None,
           clock: Callable[[], dt.datetime] = utcnow) -> None:
    """`target` and `detail` name things (a user, a masked number, a callback id), never personal data."""
    session.add(ConsoleAuditEntry(at=clock(), actor=actor[:80], action=action[:40],
                                  target=target[:200] if target else None, detail=detail[:500] if detail else None))


def entries(session: Session, *, limit: int = 500) -> list[ConsoleAuditEntry]:
    """Newest first."""
    return list(session.scalars(select(ConsoleAuditEntry).order_by(ConsoleAuditEntry.id.desc()).limit(limit)))
