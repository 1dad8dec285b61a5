"""How handoffs ended, per channel and department: answered, abandoned, left the queue, not taken,
with the average and longest wait. Read from handoff_outcomes (bot/store/handoffs.py), which Twilio's
<Dial>/<Enqueue> action callbacks fill in; chat handoffs go to the agent desk and have no such row.

A handoff belongs to the period (and channel) of the conversation it came from, like every figure
of the overview: a conversation's whole story is counted once, in the period it started."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reporting.measures import Measure, share
from bot.reporting.period import CHANNELS, Period
from bot.store.conversations import PRACTICE_PREFIX
from bot.store.models import Conversation, HandoffOutcome

# What Twilio reported (bot/engine/unanswered.py's words), grouped as supervisors read them.
GROUPS = {"answered": ("answered", "redirected"), "abandoned": ("abandoned",), "left": ("left",),
          "not_taken": ("busy", "no-answer", "failed", "canceled")}
HANDED_OVER = Measure("handed_over", "handed over", "voice calls put through to the department's line or queue")
RESULTS = (
    Measure("answered", "answered", "an agent took the call (or Twilio moved it on)"),
    Measure("abandoned", "abandoned", "the caller hung up while waiting"),
    Measure("left", "left queue", "waited past the department's maximum, then offered its alternatives"),
    Measure("not_taken", "failed", "the line was busy, did not answer, failed or the call was canceled"),
)
PENDING = Measure("pending", "pending", "no word from Twilio yet: still waiting or talking")
AVERAGE_WAIT = Measure("average_wait_seconds", "avg wait (s)",
                       "seconds from being put through until answered or gone, over the handoffs that ended")
LONGEST_WAIT = Measure("longest_wait_seconds", "longest wait (s)", "the longest of those waits")
SHARE_OF = "% of handoffs that ended (pending ones left out)"


@dataclass(frozen=True)
class DepartmentHandoffs:
    channel: str  # or "all"
    department: str  # or "all"
    handed_over: int
    answered: int
    abandoned: int
    left: int
    not_taken: int
    pending: int
    average_wait_seconds: float | None  # over the handoffs that ended with a known wait
    longest_wait_seconds: int | None

    @property
    def ended(self) -> int:
        return self.handed_over - self.pending

    def share(self, key: str) -> float | None:
        return share(getattr(self, key), self.ended)

    @property
    def answered_share(self) -> float | None:
        return self.share("answered")


@dataclass(frozen=True)
class Handoffs:
    rows: list[DepartmentHandoffs]  # per channel (in CHANNELS order), then department (busiest first)
    total: DepartmentHandoffs | None  # every channel and department together; None when nobody was handed over


def handoff_report(session: Session, period: Period) -> Handoffs:
    """Handoffs of the period's conversations (and channel), per channel and department, and in all."""
    where = [Conversation.started_at >= period.since, Conversation.started_at < period.until,
             ~Conversation.session_key.startswith(PRACTICE_PREFIX, autoescape=True)]
    if period.channel is not None:
        where.append(Conversation.channel == period.channel)
    rows = session.execute(
        select(Conversation.channel, HandoffOutcome.department, HandoffOutcome.result, HandoffOutcome.wait_seconds)
        .join(Conversation, Conversation.id == HandoffOutcome.conversation_id).where(*where)
        .order_by(HandoffOutcome.id)).all()
    groups: dict[tuple[str, str], list[tuple[str, int | None]]] = {}
    for channel, department, result, wait in rows:
        groups.setdefault((channel, department), []).append((result, wait))
    found = [_figures(channel, department, outcomes) for (channel, department), outcomes in groups.items()]
    order = {name: i for i, name in enumerate(CHANNELS)}
    found.sort(key=lambda d: (order.get(d.channel, len(order)), -d.handed_over, d.department))
    everything = [(result, wait) for _, _, result, wait in rows]
    return Handoffs(found, _figures("all", "all", everything) if everything else None)


def handoff_outcomes(session: Session, period: Period) -> list[DepartmentHandoffs]:
    """The rows of handoff_report: per channel and department."""
    return handoff_report(session, period).rows


def _figures(channel: str, department: str, outcomes: list[tuple[str, int | None]]) -> DepartmentHandoffs:
    results = [result for result, _ in outcomes]
    counts = {key: sum(results.count(r) for r in words) for key, words in GROUPS.items()}
    pending = results.count("pending")
    # A word Twilio may add one day is still a handoff that ended without an agent: counted as failed.
    counts["not_taken"] += len(results) - pending - sum(counts.values())
    waits = [wait for result, wait in outcomes if result != "pending" and wait is not None]
    return DepartmentHandoffs(channel=channel, department=department, handed_over=len(outcomes), pending=pending,
                              average_wait_seconds=sum(waits) / len(waits) if waits else None,
                              longest_wait_seconds=max(waits) if waits else None, **counts)
