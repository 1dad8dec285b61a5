"""How callers fare, from the events the engine records: a funnel per step, and A/B variants compared."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Conversation, Event

FUNNEL_OUTCOMES = ("matched", "no-input", "no-match", "invalid", "exhausted", "hung-up")


@dataclass(frozen=True)
class StepRow:
    step: str
    conversations: int
    outcomes: dict[str, int]


@dataclass(frozen=True)
class VariantRow:
    test: str
    variant: str
    conversations: int
    verified: int
    exhausted: int
    hung_up: int
    routed: int

    def share(self, count: int) -> float:
        return count / self.conversations if self.conversations else 0.0


def funnel(session: Session, *, since: dt.datetime) -> list[StepRow]:
    """Per step: how many conversations reached it and what happened there, in flow order of first reach."""
    reached = session.execute(
        select(Event.step, func.count(func.distinct(Event.conversation_id)), func.min(Event.id))
        .where(Event.at >= since, Event.step.is_not(None)).group_by(Event.step).order_by(func.min(Event.id)))
    rows = []
    counts: dict[str, Counter] = defaultdict(Counter)
    for step, outcome, n in session.execute(
            select(Event.step, Event.outcome, func.count()).where(Event.at >= since, Event.outcome.in_(FUNNEL_OUTCOMES))
            .group_by(Event.step, Event.outcome)):
        counts[step][outcome] = n
    for step, conversations, _ in reached:
        rows.append(StepRow(step, conversations, {o: counts[step].get(o, 0) for o in FUNNEL_OUTCOMES}))
    return rows


def variants(session: Session, *, since: dt.datetime) -> list[VariantRow]:
    assigned: dict[str, tuple[str, str]] = {}
    for conversation_id, detail in session.execute(
            select(Event.conversation_id, Event.detail).where(Event.outcome == "variant", Event.at >= since)):
        test, _, variant = (detail or "").partition("=")
        assigned.setdefault(conversation_id, (test, variant))
    outcomes: dict[str, set[str]] = defaultdict(set)
    ids = list(assigned)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for conversation_id, outcome in session.execute(
                select(Event.conversation_id, Event.outcome)
                .where(Event.conversation_id.in_(chunk), Event.outcome.in_(("verified", "exhausted", "hung-up", "routed")))):
            outcomes[conversation_id].add(outcome)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for conversation_id, key in assigned.items():
        groups[key].append(conversation_id)
    return [VariantRow(test, variant, len(members),
                       *(sum(1 for c in members if outcome in outcomes[c]) for outcome in ("verified", "exhausted", "hung-up", "routed")))
            for (test, variant), members in sorted(groups.items())]


def conversations_since(session: Session, *, since: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(Conversation).where(Conversation.started_at >= since)) or 0
