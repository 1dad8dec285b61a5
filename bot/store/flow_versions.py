"""Published flow versions: publish pushes a validated version, rollback pops back to the one before.

The live version is whatever the publication history says, read from the database on each
request, so publishing or rolling back takes effect on every worker without a restart.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import FlowPublication, FlowVersion, utcnow


class NothingToRollBack(RuntimeError):
    pass


@dataclass(frozen=True)
class Publication:
    version: str
    action: str
    by: str | None
    at: object


def history(session: Session) -> list[Publication]:
    rows = session.scalars(select(FlowPublication).order_by(FlowPublication.id))
    return [Publication(r.version, r.action, r.by, r.at) for r in rows]


def live_stack(publications: list[Publication]) -> list[str]:
    """Versions in the order they went live, with rolled-back ones removed; the last is live."""
    stack: list[str] = []
    for publication in publications:
        if publication.action == "publish":
            stack.append(publication.version)
        elif stack:
            stack.pop()
    return stack


def current_version(session: Session) -> str | None:
    latest = session.scalar(select(FlowPublication).order_by(FlowPublication.id.desc()).limit(1))
    if latest is None:
        return None
    # The newest row names the live version for publish and rollback alike.
    return latest.version


def version_files(session: Session, version: str) -> dict[str, str] | None:
    row = session.get(FlowVersion, version)
    return dict(row.files) if row else None


def publish(session: Session, *, version: str, files: dict[str, str], by: str | None = None) -> bool:
    """Make `version` live. Returns False (and records nothing) when it is already live."""
    if current_version(session) == version:
        return False
    if session.get(FlowVersion, version) is None:
        session.add(FlowVersion(version=version, files=dict(files), created_at=utcnow()))
        session.flush()
    session.add(FlowPublication(version=version, action="publish", by=by, at=utcnow()))
    return True


def rollback(session: Session, *, by: str | None = None) -> str:
    """Go back to the version that was live before the current one; returns it."""
    stack = live_stack(history(session))
    if len(stack) < 2:
        raise NothingToRollBack("there is no earlier published version to roll back to")
    previous = stack[-2]
    session.add(FlowPublication(version=previous, action="rollback", by=by, at=utcnow()))
    return previous
