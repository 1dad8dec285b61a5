"""Callback requests and voicemails as work queues: new -> claimed (by whom) -> done (with an
outcome), oldest first. Each change is one conditional UPDATE, so two supervisors cannot both
claim an item, and each is written to the console audit."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.console import audit
from bot.store.models import CallbackRequest, Voicemail, utcnow

KINDS = {"callback": CallbackRequest, "voicemail": Voicemail}
OUTCOMES = {
    "reached": "spoke to the customer",
    "left-message": "left a message",
    "no-answer": "no answer",
    "wrong-number": "wrong number",
    "not-needed": "no longer needed",
}
STATUSES = ("new", "claimed", "done")


class QueueError(ValueError):
    pass


@dataclass(frozen=True)
class WorkItem:
    kind: str
    id: int
    at: dt.datetime
    department: str
    status: str
    claimed_by: str | None
    claimed_at: dt.datetime | None
    done_at: dt.datetime | None
    outcome: str | None
    context: dict[str, Any]
    phone: str | None = None  # callbacks: the number to call back
    recording_url: str | None = None  # voicemails
    duration_seconds: int | None = None


def _when(model):
    return model.requested_at if model is CallbackRequest else model.left_at


def items(session: Session, kind: str, *, show: str = "open", limit: int = 500) -> list[WorkItem]:
    """open (new and claimed, oldest first), done (latest first) or all (oldest first)."""
    model = KINDS[kind]
    query = select(model)
    if show == "open":
        query = query.where(model.status.in_(("new", "claimed"))).order_by(_when(model), model.id)
    elif show == "done":
        query = query.where(model.status == "done").order_by(model.done_at.desc(), model.id.desc())
    else:
        query = query.order_by(_when(model), model.id)
    return [_item(kind, row) for row in session.scalars(query.limit(limit))]


def _item(kind: str, row) -> WorkItem:
    common = dict(kind=kind, id=row.id, department=row.department, status=row.status, claimed_by=row.claimed_by,
                  claimed_at=row.claimed_at, done_at=row.done_at, outcome=row.outcome, context=dict(row.context or {}))
    if kind == "callback":
        return WorkItem(at=row.requested_at, phone=row.phone, **common)
    return WorkItem(at=row.left_at, recording_url=row.recording_url, duration_seconds=row.duration_seconds, **common)


def get(session: Session, kind: str, item_id: int) -> WorkItem | None:
    row = session.get(KINDS[kind], item_id)
    return _item(kind, row) if row is not None else None


def claim(session: Session, kind: str, item_id: int, *, by: str, clock: Callable[[], dt.datetime] = utcnow) -> None:
    model = KINDS[kind]
    now = clock()
    changed = session.execute(update(model).where(model.id == item_id, model.status == "new")
                              .values(status="claimed", claimed_by=by, claimed_at=now)).rowcount
    if not changed:
        raise QueueError(_why_not(session, kind, item_id, "claim"))
    audit.record(session, actor=by, action=f"{kind}-claim", target=f"{kind} {item_id}", clock=clock)


def release(session: Session, kind: str, item_id: int, *, by: str, admin: bool = False,
            clock: Callable[[], dt.datetime] = utcnow) -> None:
    """Back to new: by whoever claimed it, or an admin."""
    model = KINDS[kind]
    where = [model.id == item_id, model.status == "claimed"]
    if not admin:
        where.append(model.claimed_by == by)
    changed = session.execute(update(model).where(*where).values(status="new", claimed_by=None, claimed_at=None)).rowcount
    if not changed:
        raise QueueError(_why_not(session, kind, item_id, "release"))
    audit.record(session, actor=by, action=f"{kind}-release", target=f"{kind} {item_id}", clock=clock)


def complete(session: Session, kind: str, item_id: int, *, by: str, outcome: str,
             clock: Callable[[], dt.datetime] = utcnow) -> None:
    """Done, with an outcome: by whoever claimed it."""
    if outcome not in OUTCOMES:
        raise QueueError(f"choose an outcome: {', '.join(OUTCOMES.values())}")
    model = KINDS[kind]
    now = clock()
    changed = session.execute(update(model).where(model.id == item_id, model.status == "claimed", model.claimed_by == by)
                              .values(status="done", done_at=now, outcome=outcome)).rowcount
    if not changed:
        raise QueueError(_why_not(session, kind, item_id, "complete"))
    audit.record(session, actor=by, action=f"{kind}-done", target=f"{kind} {item_id}", detail=outcome, clock=clock)


def _why_not(session: Session, kind: str, item_id: int, action: str) -> str:
    item = get(session, kind, item_id)
    if item is None:
        return f"there is no {kind} {item_id}"
    if item.status == "done":
        return f"{kind} {item_id} is already done ({OUTCOMES.get(item.outcome or '', item.outcome)}, by {item.claimed_by})"
    if item.status == "claimed":
        return f"{kind} {item_id} is claimed by {item.claimed_by}"
    return f"{kind} {item_id} must be claimed before you can {action} it"
