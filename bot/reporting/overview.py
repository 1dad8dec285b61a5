"""The overview: conversations per day by channel, the verification rate, how conversations
ended (contained, handed off, abandoned) by department, how handoffs ended and how long callers
waited, number recoveries by SMS, and locks today."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.reporting.facts import ConversationFacts, load_facts
from bot.reporting.flow_steps import merged
from bot.reporting.handoffs import Handoffs, handoff_report
from bot.reporting.locks import LockCounts, lock_counts
from bot.reporting.measures import Measure, share
from bot.reporting.period import CHANNELS, Period
from bot.reporting.recoveries import RecoveryRow, recoveries
from bot.verification.policy import Lockout

VERIFICATION = Measure("verification_rate", "verified",
                       "verified conversations / conversations that reached the first verification question")
OUTCOMES = (
    Measure("handed_off", "handed off", "put through to a department's agents"),
    Measure("contained", "contained", "ended without an agent after being served: the flow finished, an "
                                      "after-hours callback, voicemail or text, or the caller left once verified"),
    Measure("abandoned", "abandoned", "the caller hung up (or a chat went quiet) before being served"),
    Measure("in_progress", "in progress", "not over yet"),
)
CONTAINMENT = Measure("containment", "containment", "contained / conversations that are over")


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    counts: dict[str, int]  # by channel

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class VerificationRow:
    channel: str  # or "all"
    reached: int
    verified: int

    @property
    def rate(self) -> float | None:
        return share(self.verified, self.reached)


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    handed_off: int
    contained: int  # after-hours: a callback request, a voicemail, a text with a link, or "we're closed"


@dataclass(frozen=True)
class Overview:
    period: Period
    conversations: int
    channels: tuple[str, ...]
    days: list[DayRow]
    verification: list[VerificationRow]  # "all" first, then per channel
    outcomes: dict[str, int]
    departments: list[DepartmentRow]
    handoffs: Handoffs
    recoveries: list[RecoveryRow]  # "all" first, then per channel; empty when none was asked for
    locks: LockCounts | None = None  # today's (not the period's): only when asked with `now`

    @property
    def containment(self) -> float | None:
        return share(self.outcomes["contained"], self.conversations - self.outcomes["in_progress"])


def outcome_of(c: ConversationFacts) -> str:
    """One of OUTCOMES' keys; a hang-up during the first question is abandoned, not contained."""
    if c.routed_to is not None:
        return "handed_off"
    if c.after_hours is not None or "ended" in c.outcomes:
        return "contained"
    if not c.closed:
        return "in_progress"
    return "contained" if c.verified else "abandoned"


def overview(session: Session, period: Period, facts: list[ConversationFacts] | None = None, *,
             now: dt.datetime | None = None, lockout: Lockout | None = None) -> Overview:
    """The period's figures; with `now` (and the lockout policy), today's locks as well."""
    facts = load_facts(session, period) if facts is None else facts
    channels = (period.channel,) if period.channel else CHANNELS
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    for c in facts:
        per_day[c.day][c.channel] += 1
    days = [DayRow(day, {ch: per_day[day][ch] for ch in channels}) for day in period.days]

    shape = merged(session, {c.flow_version for c in facts})
    factor_steps = shape.factor_questions if shape is not None else frozenset()

    def reached_verification(c: ConversationFacts) -> bool:
        if factor_steps:
            return bool(factor_steps & set(c.steps))
        return c.verified or "failed" in c.outcomes  # no stored version: those who reached the check itself

    verification = [_verification("all", facts, reached_verification)]
    verification += [_verification(ch, [c for c in facts if c.channel == ch], reached_verification)
                     for ch in channels if period.channel is None]

    outcomes = Counter(outcome_of(c) for c in facts)
    departments: dict[str, Counter] = defaultdict(Counter)
    for c in facts:
        if c.routed_to is not None:
            departments[c.routed_to]["handed_off"] += 1
        elif c.after_hours is not None:
            departments[c.department or "general"]["contained"] += 1
    return Overview(
        period=period, conversations=len(facts), channels=channels, days=days, verification=verification,
        outcomes={m.key: outcomes.get(m.key, 0) for m in OUTCOMES},
        departments=[DepartmentRow(name, counts["handed_off"], counts["contained"])
                     for name, counts in sorted(departments.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))],
        handoffs=handoff_report(session, period), recoveries=recoveries(session, period, facts),
        locks=lock_counts(session, now=now, lockout=lockout) if now is not None else None)


def _verification(channel: str, facts: list[ConversationFacts], reached) -> VerificationRow:
    reached_them = [c for c in facts if reached(c)]
    return VerificationRow(channel, len(reached_them), sum(c.verified for c in reached_them))
