"""Each conversation of a period boiled down to the facts every report counts: where it went,
what happened at each step, how it ended. Read once from `conversations` and `events`; every
figure (command line and console alike) is counted from these, per conversation, never per answer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reporting.period import Period
from bot.store.conversations import PRACTICE_PREFIX
from bot.store.models import Conversation, Event

ANSWERED = frozenset({"matched", "confirmed"})
NO_INPUT = frozenset({"no-input"})
NO_MATCH = frozenset({"no-match", "invalid"})
# How a number recovery ended (bot/engine/steps/recover_number.py's events): texted to the phone on
# file; matched a customer with no phone on file; not matched (or refused: locked, too many tries);
# unfinished (the caller left, or is still answering, before the details were checked).
RECOVERY_RESULTS = ("texted", "no_phone", "not_matched", "unfinished")
RECOVERED = frozenset({"texted", "no_phone"})
_RECOVERED = {"texted": "texted", "no phone on file": "no_phone"}
# The caller went away at this step: a call hung up, or a chat went quiet until it expired.
LEFT = frozenset({"hung-up", "expired"})


@dataclass
class StepMarks:
    """What happened to one conversation at one step (event ids keep the order)."""

    first_answer: int | None = None
    first_failure: int | None = None
    no_input: bool = False
    no_match: bool = False
    ran_out: bool = False
    left: bool = False

    @property
    def answered(self) -> bool:
        return self.first_answer is not None

    @property
    def first_try(self) -> bool:
        return self.answered and (self.first_failure is None or self.first_answer < self.first_failure)

    @property
    def on_retry(self) -> bool:
        return self.answered and not self.first_try


@dataclass
class ConversationFacts:
    id: str
    channel: str
    started_at: dt.datetime
    closed: bool
    end_reason: str | None
    flow_version: str
    department: str | None
    steps: dict[str, StepMarks] = field(default_factory=dict)
    outcomes: set[str] = field(default_factory=set)
    routed_to: str | None = None
    after_hours: str | None = None
    # A/B test name -> (variant, the step whose wording it changed)
    variants: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Each number recovery ("I don't know my number"), in order: one of RECOVERY_RESULTS
    recoveries: list[str] = field(default_factory=list)
    recovery_unavailable: int = 0  # offered none: no way to send texts

    @property
    def day(self) -> dt.date:
        return self.started_at.date()

    @property
    def verified(self) -> bool:
        # A recovered number verifies the caller for the rest of the conversation (recover_number checks
        # them as the policy says, or against exactly one customer's name, birth date and postcode).
        return "verified" in self.outcomes or any(r in RECOVERED for r in self.recoveries)

    def marks(self, step: str) -> StepMarks:
        return self.steps.setdefault(step, StepMarks())


def load_facts(session: Session, period: Period) -> list[ConversationFacts]:
    """The conversations that started in the period (and channel), with their events, oldest first."""
    # Try-it conversations (a supervisor hearing a draft) are nobody's outcome: never counted.
    where = [Conversation.started_at >= period.since, Conversation.started_at < period.until,
             ~Conversation.session_key.startswith(PRACTICE_PREFIX, autoescape=True)]
    if period.channel is not None:
        where.append(Conversation.channel == period.channel)
    facts: dict[str, ConversationFacts] = {}
    for row in session.execute(
            select(Conversation.id, Conversation.channel, Conversation.started_at, Conversation.status,
                   Conversation.end_reason, Conversation.flow_version, Conversation.step, Conversation.state)
            .where(*where).order_by(Conversation.started_at, Conversation.id)):
        state = row.state if isinstance(row.state, dict) else {}
        item = ConversationFacts(id=row.id, channel=row.channel, started_at=row.started_at,
                                 closed=row.status == "closed", end_reason=row.end_reason,
                                 flow_version=row.flow_version, department=state.get("department"))
        if row.step:
            item.marks(row.step)  # waiting there now, or ended there: it reached that step
        facts[row.id] = item
    events = session.execute(
        select(Event.conversation_id, Event.id, Event.step, Event.outcome, Event.detail)
        .join(Conversation, Conversation.id == Event.conversation_id).where(*where).order_by(Event.id))
    for conversation_id, event_id, step, outcome, detail in events:
        _apply(facts[conversation_id], event_id, step, outcome, detail)
    return list(facts.values())


def _apply(item: ConversationFacts, event_id: int, step: str | None, outcome: str, detail: str | None) -> None:
    item.outcomes.add(outcome)
    if outcome == "routed":
        item.routed_to = detail
    elif outcome == "after-hours":
        item.after_hours = detail
    elif outcome == "recovery":
        if detail == "unavailable":
            item.recovery_unavailable += 1
        else:
            item.recoveries.append("unfinished")
    elif (outcome == "recovered" and detail in _RECOVERED) or outcome == "recovery-failed":
        # ("recovered" with no detail is a one-time code clearing a lock: not a number recovery.)
        result = _RECOVERED.get(detail, "not_matched") if outcome == "recovered" else "not_matched"
        if item.recoveries and item.recoveries[-1] == "unfinished":
            item.recoveries[-1] = result
        else:
            item.recoveries.append(result)
    elif outcome == "variant" and detail and "=" in detail:
        test, _, variant = detail.partition("=")
        item.variants.setdefault(test, (variant, step or ""))
    if step is None:
        return
    marks = item.marks(step)
    if outcome in ANSWERED:
        if marks.first_answer is None:
            marks.first_answer = event_id
    elif outcome in NO_INPUT or outcome in NO_MATCH:
        marks.no_input |= outcome in NO_INPUT
        marks.no_match |= outcome in NO_MATCH
        if marks.first_failure is None:
            marks.first_failure = event_id
    elif outcome == "exhausted":
        marks.ran_out = True
    elif outcome in LEFT:
        marks.left = True
