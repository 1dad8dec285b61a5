"""Offer the account the caller ID belongs to: "Are you calling about the account ending 4321?"

Caller ID only identifies here (it can be spoofed): a yes sets the customer number, and the
questions follow as for a number keyed in. It counts as proof only in a policy that lists
`caller_id`. Withheld IDs, and phones on file for no customer or for several, go straight on
to `on_no` without a word.
"""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.io import Expect, Input, Option, Segment
from bot.engine.steps.claim import claim_number
from bot.engine.steps.base import Outcome, Spec, Step
from bot.understanding import is_withheld_caller_id, read_control, read_yes_no

YES_NO_HINTS = ("yes", "no", "correct", "that's right", "wrong")


class IdentifyCallerStep(Step):
    type = "identify_caller"
    waits_for_input = True
    specs = {
        "prompt": Spec("text", required=True),  # {last_four}: the account's last four characters
        "max_attempts": Spec("int", minimum=1, maximum=3, default=2),
        "locked_prompt": Spec("text", required=True),
        "on_yes": Spec("step", required=True),
        "on_no": Spec("step", required=True),
        "on_locked": Spec("step", required=True),
    }

    def expect(self, turn: Turn) -> Expect:
        language = turn.bundle.flow.voice_for(turn.state.language).get("language")
        return Expect(dtmf=True, speech=True, num_digits=1, timeout=turn.flow.settings.get("timeout", 6),
                      hints=YES_NO_HINTS, language=language, options=(Option("yes", "Yes"), Option("no", "No")))

    def _ask(self, turn: Turn, number: str) -> Outcome:
        return Outcome(say=turn.text(self.get("prompt"), last_four=[Segment(number[-4:], kind="digits")]),
                       expect=self.expect(turn))

    def enter(self, turn: Turn) -> Outcome:
        state = turn.state
        state.reset(self.name)
        caller = state.caller
        numbers = [] if is_withheld_caller_id(caller) else turn.services.directory.find_by_phone(caller)
        if len(numbers) != 1:
            state.pending = None
            turn.event("not-identified", "none" if not numbers else "several")
            return Outcome(goto=self.get("on_no"))
        state.pending = {"step": self.name, "candidate": numbers[0]}
        turn.event("offered")
        return self._ask(turn, numbers[0])

    def handle(self, turn: Turn, inp: Input) -> Outcome:
        state = turn.state
        candidate = (state.pending or {}).get("candidate") if (state.pending or {}).get("step") == self.name else None
        if candidate is None:
            return Outcome(goto=self.get("on_no"))
        if inp.kind == "digits":
            answer = {"1": True, "2": False}.get(inp.value.strip().rstrip("#"))
        elif inp.kind in ("speech", "text"):
            answer = read_yes_no(inp.value)
            if answer is None and read_control(inp.value) in ("agent", "restart"):
                answer = False  # they want something else: take the ordinary path
        else:
            answer = None
        if answer is None:
            state.count(self.name, "no_input" if inp.kind == "silence" else "no_match")
            turn.event("no-input" if inp.kind == "silence" else "no-match")
            if state.attempts(self.name) >= self.get("max_attempts"):
                state.pending = None
                return Outcome(goto=self.get("on_no"))
            return self._ask(turn, candidate)
        state.pending = None
        if not answer:
            turn.event("declined")
            return Outcome(goto=self.get("on_no"))
        if claim_number(turn, candidate):
            return Outcome(say=turn.text(self.get("locked_prompt")), goto=self.get("on_locked"))
        turn.event("identified")
        return Outcome(goto=self.get("on_yes"))
