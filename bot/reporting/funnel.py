"""The funnel per question: how many conversations reached each one and what happened there.

Counted in conversations, not answers: a caller asked the date of birth twice (after a failed
check sends them back) is one conversation that reached it, answered or not.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.reporting.facts import ConversationFacts, load_facts
from bot.reporting.flow_steps import merged
from bot.reporting.measures import Measure, share
from bot.reporting.period import Period

REACHED = Measure("reached", "reached", "conversations asked this question at least once")
MEASURES = (
    REACHED,
    Measure("first_try", "1st try", "answered the first time, with no silence or misunderstanding before"),
    Measure("on_retry", "on retry", "answered, but only after a silence or a misunderstanding"),
    Measure("no_input", "no input", "said or pressed nothing at least once here"),
    Measure("no_match", "no match", "gave an answer that was not understood or not valid, at least once"),
    Measure("ran_out", "ran out", "used every attempt here and were sent on (usually to a colleague)"),
    Measure("hung_up", "hung up", "hung up (or, in a chat, went quiet) while at this question"),
)
WORST = "the question the smallest share of callers answered on the 1st try"


@dataclass(frozen=True)
class FunnelRow:
    step: str
    counts: dict[str, int]
    worst: bool = False

    @property
    def reached(self) -> int:
        return self.counts["reached"]

    def share(self, key: str) -> float | None:
        return share(self.counts[key], self.reached)


@dataclass(frozen=True)
class Funnel:
    period: Period
    conversations: int
    rows: list[FunnelRow]

    @property
    def worst(self) -> FunnelRow | None:
        return next((row for row in self.rows if row.worst), None)


def funnel(session: Session, period: Period, facts: list[ConversationFacts] | None = None) -> Funnel:
    facts = load_facts(session, period) if facts is None else facts
    questions = _questions(session, facts)
    rows = []
    for step in questions:
        marks = [c.steps[step] for c in facts if step in c.steps]
        if not marks:
            continue
        counts = {
            "reached": len(marks),
            "first_try": sum(m.first_try for m in marks),
            "on_retry": sum(m.on_retry for m in marks),
            "no_input": sum(m.no_input for m in marks),
            "no_match": sum(m.no_match for m in marks),
            "ran_out": sum(m.ran_out for m in marks),
            "hung_up": sum(m.left for m in marks),
        }
        rows.append(FunnelRow(step, counts))
    if rows:
        # Earliest wins a tie: the first place callers struggle.
        worst = min(range(len(rows)), key=lambda i: (rows[i].share("first_try"), i))
        rows[worst] = FunnelRow(rows[worst].step, rows[worst].counts, worst=True)
    return Funnel(period, len(facts), rows)


def _questions(session: Session, facts: list[ConversationFacts]) -> list[str]:
    """The questions in flow order; from the events alone when no version is stored (in first-reach order)."""
    shape = merged(session, {c.flow_version for c in facts})
    if shape is not None:
        extra = sorted({s for c in facts for s in c.steps} - set(shape.order))
        return [s for s in (*shape.order, *extra) if s in shape.questions]
    first_seen: dict[str, int] = {}
    for c in facts:
        for step, marks in c.steps.items():
            ids = [i for i in (marks.first_answer, marks.first_failure) if i is not None]
            if ids or marks.ran_out or marks.left:
                first_seen[step] = min(first_seen.get(step, 1 << 62), *ids) if ids else first_seen.get(step, 1 << 62)
    return sorted(first_seen, key=lambda s: (first_seen[s], s))
