"""How handoffs ended, per department: what a console page (and `bot report`) shows about callers
who were put through. Read from handoff_outcomes (bot/store/handoffs.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reporting.period import Period
from bot.store.models import HandoffOutcome

NOT_TAKEN = ("busy", "no-answer", "failed", "canceled")


@dataclass(frozen=True)
class DepartmentHandoffs:
    department: str
    handed_over: int
    answered: int
    abandoned: int  # hung up while waiting
    left: int  # waited past the department's maximum, then offered the alternatives
    not_taken: int  # busy, no answer, failed or canceled
    pending: int  # no callback from Twilio yet (or still waiting)
    average_wait_seconds: float | None  # over the handoffs that ended
    longest_wait_seconds: int | None

    @property
    def answered_share(self) -> float | None:
        ended = self.handed_over - self.pending
        return self.answered / ended if ended else None


def handoff_outcomes(session: Session, period: Period) -> list[DepartmentHandoffs]:
    """Voice handoffs started in the period, per department (busiest first)."""
    if period.channel not in (None, "voice"):
        return []
    rows = session.execute(select(HandoffOutcome.department, HandoffOutcome.result, HandoffOutcome.wait_seconds)
                           .where(HandoffOutcome.started_at >= period.since,
                                  HandoffOutcome.started_at < period.until)).all()
    by_department: dict[str, list[tuple[str, int | None]]] = {}
    for department, result, wait in rows:
        by_department.setdefault(department, []).append((result, wait))
    found = []
    for department, outcomes in by_department.items():
        results = [result for result, _ in outcomes]
        waits = [wait for result, wait in outcomes if result != "pending" and wait is not None]
        found.append(DepartmentHandoffs(
            department=department, handed_over=len(outcomes), answered=results.count("answered"),
            abandoned=results.count("abandoned"), left=results.count("left"),
            not_taken=sum(results.count(r) for r in NOT_TAKEN), pending=results.count("pending"),
            average_wait_seconds=sum(waits) / len(waits) if waits else None,
            longest_wait_seconds=max(waits) if waits else None))
    return sorted(found, key=lambda d: (-d.handed_over, d.department))
