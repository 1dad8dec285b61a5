"""Handing a caller to a department: the context the agent gets, or what happens when it is closed.

Used by `handoff` steps and by the alternatives offered when no one took a call (unanswered.py)."""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.io import Segment
from bot.engine.steps.after_hours import after_hours
from bot.engine.steps.base import Outcome


def hand_over(turn: Turn, department: str, *, say: list[Segment]) -> Outcome:
    state = turn.state
    state.department = department
    state.ended = True
    record = turn.services.directory.find(state.customer_number) if state.verified and state.customer_number else None
    handoff = turn.bundle.handoff(department, state, session_key=turn.input.session_key,
                                  reason=state.handoff_reason or "routed",
                                  segment=record.segment if record else None,
                                  customer_status=record.status if record else None)
    opening = turn.bundle.departments[department].hours
    if opening is not None and not opening.is_open(turn.services.clock()):
        return after_hours(turn, turn.bundle.departments[department], handoff.context)
    turn.event("routed", department)
    return Outcome(say=say, handoff=handoff)
