"""Ask one verification question and keep only whether the answer matched the record."""
from __future__ import annotations

from typing import Any

from bot.engine.context import Turn
from bot.engine.io import Input
from bot.engine.steps.asking import ASKING_SPECS, Accepted, AskingStep, Rejected
from bot.engine.steps.base import Outcome, Spec
from bot.engine.steps.recover_number import hold_answer, recovering
from bot.verification.factors import ASKED, FACTORS, ReadOptions


class AskStep(AskingStep):
    type = "ask"
    specs = {**ASKING_SPECS, "factor": Spec("str", required=True, choices=ASKED)}
    # What the customer types here is withheld from chat transcripts.
    withholds_answers = True

    @property
    def factor(self):
        return FACTORS[self.get("factor")]

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        problems = super().extra_problems(bundle)
        factor = FACTORS.get(self.data.get("factor"))
        if factor is not None and factor.secret and "confirm" in self.data:
            # A read-back would keep the secret in the conversation state while it waits for a yes/no.
            problems.append((("confirm",), f"a {factor.name} is never read back: remove `confirm`"))
        return problems

    def options(self, turn: Turn) -> ReadOptions:
        names = turn.bundle.policy.name
        return ReadOptions(date_layout=turn.flow.settings.get("date_layout", "DDMMYYYY"), today=turn.today(),
                           region=turn.bundle.region, first_name_threshold=names.first_threshold,
                           last_name_threshold=names.last_threshold)

    def known_length(self, flow, schemes) -> int | None:
        return self.factor.keypad_length(ReadOptions(date_layout=flow.settings.get("date_layout", "DDMMYYYY")))

    def keypad_timing_applies(self) -> bool:
        return self.factor.keypad

    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected:
        answer = self.factor.read(inp.kind, inp.value, self.options(turn))
        if answer.value is None:
            wordings = self.get("invalid") or {}
            return Rejected(reason=answer.error if answer.error in wordings else None)
        return Accepted(value=answer.value, stored=self.factor.to_stored(answer.value),
                        readback=self.readback(turn, answer.value), confirm=answer.unsure and not self.factor.secret)

    def restore(self, stored: Any) -> Any:
        return self.factor.from_stored(stored)

    def readback(self, turn: Turn, value: Any) -> dict[str, Any]:
        if self.factor.secret:
            return {}
        # Prompts say {date} for a date of birth and {postcode} for a postcode.
        if self.get("factor") == "date_of_birth":
            return {"date": self.factor.describe(value, turn.state.language)}
        return {self.get("factor"): self.factor.describe(value)}

    def accept(self, turn: Turn, value: Any) -> Outcome:
        if recovering(turn):
            # Recovering a forgotten number: the recover_number step decides on all the answers together.
            hold_answer(turn, self.get("factor"), self.factor.to_stored(value))
            return Outcome(goto=self.get("next"))
        number = turn.state.customer_number
        record = turn.services.directory.find(number) if number else None
        turn.state.factors[self.get("factor")] = self.factor.matches(value, record, self.options(turn))
        return Outcome(goto=self.get("next"))
