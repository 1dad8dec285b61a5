"""Steps that wait for nothing: say something and move on, hand the conversation over, or end it."""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.steps.after_hours import AFTER_HOURS_SPECS
from bot.engine.steps.base import Outcome, Spec, Step
from bot.engine.steps.handover import hand_over
from bot.engine.steps.menu import SPECIAL_DEPARTMENTS
from bot.engine.steps.requirements import step_up
from bot.yaml_source import did_you_mean


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
            if not state.verified and wanted in turn.bundle.departments:
                # Whoever is not verified (details that matched no one, say) reaches the general team,
                # whichever they chose: they hear what everyone hears, the agent sees why.
                wanted = "$general"
        department = turn.bundle.resolve_department(wanted, state)
        detour, department = step_up(turn, department, self.get("step_up"))
        if detour is not None:
            return detour
        return hand_over(turn, department, say=turn.text(self.get("say")))


class EndStep(Step):
    type = "end"
    specs = {"say": Spec("text")}

    def enter(self, turn: Turn) -> Outcome:
        turn.state.ended = True
        turn.event("ended")
        return Outcome(say=turn.text(self.get("say")), end=True)
