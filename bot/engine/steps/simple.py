"""Steps that wait for nothing: say something and move on, hand the conversation over, or end it."""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.steps.after_hours import AFTER_HOURS_SPECS, after_hours
from bot.engine.source import did_you_mean
from bot.engine.steps.base import Outcome, Spec, Step
from bot.engine.steps.menu import SPECIAL_DEPARTMENTS
from bot.engine.steps.requirements import step_up


class SayStep(Step):
    type = "say"
    specs = {"say": Spec("text", required=True), "next": Spec("step", required=True)}

    def enter(self, turn: Turn) -> Outcome:
        return Outcome(say=turn.text(self.get("say")), goto=self.get("next"))


class HandoffStep(Step):
    type = "handoff"
    specs = {"department": Spec("str", required=True), "say": Spec("text"), **AFTER_HOURS_SPECS,
             # Where to go first when the department requires a one-time code the caller has not given.
             "step_up": Spec("step")}

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        department = self.data.get("department")
        if department in (*SPECIAL_DEPARTMENTS, "$selected") or department in bundle.departments:
            return []
        return [(("department",), f"unknown department {department!r}{did_you_mean(department, bundle.departments)}; "
                                  f"expected $selected, $default, $general or one of: {', '.join(sorted(bundle.departments))}")]

    def enter(self, turn: Turn) -> Outcome:
        state = turn.state
        wanted = self.get("department")
        if wanted == "$selected":
            wanted = state.department or "$default"
        department = turn.bundle.resolve_department(wanted, state)
        detour, department = step_up(turn, department, self.get("step_up"))
        if detour is not None:
            return detour
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
        return Outcome(say=turn.text(self.get("say")), handoff=handoff)


class EndStep(Step):
    type = "end"
    specs = {"say": Spec("text")}

    def enter(self, turn: Turn) -> Outcome:
        turn.state.ended = True
        turn.event("ended")
        return Outcome(say=turn.text(self.get("say")), end=True)
