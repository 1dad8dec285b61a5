"""What a department requires before a caller is handed to it (policy.yaml `departments:`).

A verified caller who lacks a required one-time code is sent to the handoff's `step_up` step
once; whoever still lacks a requirement goes to the general team instead. No one reaches a
department without what it requires (not even a closed one: its after-hours callback carries the
same context), and no conversation can loop here.
"""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.steps.base import Outcome


def unmet(turn: Turn, department: str) -> list[str]:
    required = turn.bundle.policy.requirements.get(department, ())
    return [factor for factor in required if factor not in turn.state.factors_passed]


def step_up(turn: Turn, department: str, target: str | None) -> tuple[Outcome | None, str]:
    """(a detour to the step-up step, or None; the department to hand over to)."""
    missing = unmet(turn, department)
    if not missing:
        return None, department
    state = turn.state
    if target and state.verified and state.step_up_for != department:
        state.step_up_for = department
        state.department = department  # so `$selected` finds it again after the step-up
        turn.event("step-up", department)
        return Outcome(goto=target), department
    turn.event("step-up-required", department)
    # A reason the step-up itself gave (failed, unavailable, locked) says more; keep it.
    if state.handoff_reason not in ("step-up-failed", "step-up-unavailable", "locked"):
        state.handoff_reason = "step-up-required"
    return None, turn.bundle.routing.general
