"""What every question shares: the prompt, the no-input and no-match ladders, the attempt cap,
and reading an answer back for a yes/no before it is used.

Every failed try counts against `max_attempts`; when they run out the step goes to `on_fail`,
so a conversation can never loop or dead-end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.engine import ab_test, gather_timing, twilio_values
from bot.engine.context import Turn
from bot.engine.io import Expect, Input, Option
from bot.engine.steps.base import Outcome, Spec, Step
from bot.engine.text import resolve
from bot.understanding import read_control, read_yes_no
from bot.yaml_source import did_you_mean

ASKING_SPECS: dict[str, Spec] = {
    "prompt": Spec("text", required=True),
    "no_input": Spec("texts", required=True),
    "no_match": Spec("texts", required=True),
    "max_attempts": Spec("int", minimum=1, maximum=10, default=3),
    "gather": Spec("mapping"),
    "confirm": Spec("text"),
    "invalid": Spec("mapping"),
    "next": Spec("step", required=True),
    "on_fail": Spec("step", required=True),
    "help": Spec("text"),
    "ab_test": Spec("mapping"),
}

MAX_CONTROLS = 5

GATHER_KEYS = {"hints", "speech_timeout", "speech_model", "enhanced", "timeout", "language", "finish_on_key",
               "num_digits", "input"}


def gather_problems(gather: Any) -> list[tuple[tuple, str]]:
    """Twilio <Gather> tuning, checked against Twilio's documented values (twilio_values.py) at load
    rather than discovered on a live call."""
    if not gather:
        return []
    problems = [(("gather", key), f"unknown Gather setting {key!r}{did_you_mean(key, GATHER_KEYS)}; "
                                  f"expected one of {', '.join(sorted(GATHER_KEYS))}")
                for key in gather if key not in GATHER_KEYS]
    hints = gather.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h for h in hints):
        problems.append((("gather", "hints"), "hints: expected a list of words or class tokens such as $OOV_CLASS_DIGIT_SEQUENCE"))
    else:
        problems += [(("gather", "hints", i), f"hints: Twilio takes at most {twilio_values.MAX_HINT_CHARS} characters "
                                              f"per hint; this one has {len(h)}")
                     for i, h in enumerate(hints) if len(h) > twilio_values.MAX_HINT_CHARS]
    model = gather.get("speech_model")
    if model is not None and model not in twilio_values.SPEECH_MODELS:
        problems.append((("gather", "speech_model"), f"speech_model: Twilio has no speech model {model!r}"
                                                     f"{did_you_mean(model, twilio_values.SPEECH_MODELS)}; expected one of "
                                                     f"{', '.join(sorted(twilio_values.SPEECH_MODELS))}"))
    enhanced = gather.get("enhanced")
    if enhanced is not None and not isinstance(enhanced, bool):
        problems.append((("gather", "enhanced"), f"enhanced: expected true or false, got {enhanced!r}"))
    elif enhanced and model not in twilio_values.ENHANCED_MODELS:
        problems.append((("gather", "enhanced"), "enhanced: true needs speech_model: phone_call (Twilio's only "
                                                 "premium model)"))
    speech_timeout = gather.get("speech_timeout", "auto")
    if speech_timeout != "auto" and (isinstance(speech_timeout, bool) or not isinstance(speech_timeout, int) or not 1 <= speech_timeout <= 60):
        problems.append((("gather", "speech_timeout"), f"speech_timeout: expected auto or whole seconds from 1 to 60, got {speech_timeout!r}"))
    elif model and speech_timeout == "auto":
        problems.append((("gather", "speech_timeout"), "speech_timeout: Twilio needs whole seconds, not auto, when a speech_model is set"))
    for key, low, high in (("timeout", 1, 60), ("num_digits", 1, 40)):
        value = gather.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            problems.append((("gather", key), f"{key}: expected a whole number from {low} to {high}, got {value!r}"))
    language = gather.get("language")
    if language is not None and language not in twilio_values.GATHER_LANGUAGES:
        problems.append((("gather", "language"), f"language: Twilio does not recognise speech in {language!r}"
                                                 f"{did_you_mean(language, twilio_values.GATHER_LANGUAGES)}; expected a "
                                                 "tag from Twilio's list, e.g. en-GB, en-US, es-ES"))
    finish = gather.get("finish_on_key")
    if finish is not None and (not isinstance(finish, (str, int)) or isinstance(finish, bool)
                               or str(finish) not in twilio_values.FINISH_KEYS):
        problems.append((("gather", "finish_on_key"), f"finish_on_key: expected one key (0-9, # or *), or \"\" for none; "
                                                      f"got {finish!r}"))
    inputs = str(gather.get("input", "dtmf speech")).split()
    if not inputs or set(inputs) - {"dtmf", "speech"}:
        problems.append((("gather", "input"), "input: expected dtmf, speech, or dtmf speech"))
    return problems


YES_NO_HINTS = ("yes", "no", "correct", "that's right", "wrong")


@dataclass
class Accepted:
    value: Any
    stored: Any  # JSON-safe form kept while waiting for a yes/no
    readback: dict[str, Any] = field(default_factory=dict)
    confirm: bool = False
    # Further readings (stored form) offered one at a time if the caller says no to this one.
    alternatives: list[Any] = field(default_factory=list)


@dataclass
class Rejected:
    reason: str | None = None  # a key of the step's `invalid` wordings, or None for a plain no-match
    values: dict[str, Any] = field(default_factory=dict)
    # Wording chosen by the step itself (a number mistaken for a customer number), instead of a ladder's.
    said: list | None = None


class AskingStep(Step):
    waits_for_input = True
    # Entries may run longer than the answer (see gather_timing.expected_digits): a prompt that names
    # the finish key means the caller ends the entry with it, and numDigits is left off.
    finish_when_prompted = False

    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected:
        raise NotImplementedError

    def accept(self, turn: Turn, value: Any) -> Outcome:
        raise NotImplementedError

    def restore(self, stored: Any) -> Any:
        return stored

    def values(self, turn: Turn) -> dict[str, Any]:
        """Placeholders every prompt of this step may use."""
        return {}

    def expect(self, turn: Turn, *, confirming: bool = False) -> Expect:
        settings = turn.flow.settings
        gather = dict(self.get("gather") or {})
        inputs = str(gather.get("input", "dtmf speech")).split()
        language = turn.bundle.flow.voice_for(turn.state.language).get("language")
        if confirming:
            return Expect(dtmf=True, speech=True, num_digits=1, timeout=settings.get("timeout", 6),
                          hints=YES_NO_HINTS, language=language, speech_timeout="auto",
                          options=(Option("yes", "Yes"), Option("no", "No")))
        finish = str(gather.get("finish_on_key", "#"))
        prompt = resolve(self.prompt(turn), language=turn.state.language, default_language=turn.flow.default_language,
                         channel="voice")
        return Expect(
            dtmf="dtmf" in inputs,
            speech="speech" in inputs,
            # Ends at the last key: by numDigits for a known length, else by the finish key the prompt names.
            num_digits=gather_timing.expected_digits(gather.get("num_digits"), self.default_num_digits(turn), prompt,
                                                     finish, finish_when_prompted=self.finish_when_prompted),
            finish_on_key=finish,
            timeout=int(gather.get("timeout", settings.get("timeout", 6))),
            speech_timeout=str(gather.get("speech_timeout", "auto")),
            speech_model=gather.get("speech_model"),
            enhanced=bool(gather.get("enhanced", False)),
            hints=tuple(gather.get("hints", ())),
            language=gather.get("language", language),
        )

    def default_num_digits(self, turn: Turn) -> int | None:
        return self.known_length(turn.flow, turn.bundle.schemes)

    def known_length(self, flow, schemes) -> int | None:
        """How many keys a whole answer has, when that is fixed (a date of birth: 8); None otherwise."""
        return None

    def keypad_timing_applies(self) -> bool:
        """Whether `bot flows check` checks this question's wordings against its Gather (gather_timing.py);
        questions that always end on one key have nothing to check."""
        return True

    def enter(self, turn: Turn) -> Outcome:
        turn.state.reset(self.name)
        turn.state.pending = None
        turn.state.partial = None
        turn.state.controls = 0
        test = self.get("ab_test")
        if test:
            served = ab_test.variant(turn.input.session_key, test, turn.state.variants)
            # Kept in the state: `:state` and failing conversation tests say which wording was served.
            turn.state.variants[test["name"]] = served
            turn.event("variant", f"{test['name']}={served}")
        return self.ask(turn, self.prompt(turn))

    def prompt(self, turn: Turn) -> Any:
        """The question's wording: variant B of an A/B test where one runs, else `prompt`."""
        test = self.get("ab_test")
        if test and ab_test.variant(turn.input.session_key, test, turn.state.variants) == "B":
            return test["prompt"]
        return self.get("prompt")

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        test = self.data.get("ab_test")
        problems = [(("ab_test",) + path, message) for path, message in ab_test.problems(test)] if test is not None else []
        return problems + gather_problems(self.data.get("gather"))

    def ask(self, turn: Turn, text: Any, **values: Any) -> Outcome:
        return Outcome(say=turn.text(text, **{**self.values(turn), **values}), expect=self.expect(turn))

    def handle(self, turn: Turn, inp: Input) -> Outcome:
        pending = turn.state.pending
        control = read_control(inp.value) if inp.kind in ("speech", "text") else None
        if control is None and inp.kind == "digits" and inp.value.strip() == "*":
            control = "repeat"
        if control is not None:
            return self.control(turn, control)
        if pending and pending.get("step") == self.name:
            return self._confirmation(turn, inp, pending)
        if inp.kind == "silence" or not inp.value.strip():
            return self.retry(turn, "no_input")
        result = self.interpret(turn, inp)
        if isinstance(result, Outcome):
            return result
        if isinstance(result, Rejected):
            return self.retry(turn, "no_match", reason=result.reason, values=result.values, said=result.said)
        threshold = turn.flow.settings.get("confirm_below_confidence", 0.0)
        unsure = inp.kind == "speech" and inp.confidence is not None and inp.confidence < threshold
        if (result.confirm or unsure) and self.get("confirm"):
            turn.state.pending = {"step": self.name, "value": result.stored, "alternatives": result.alternatives}
            turn.event("confirming")
            return Outcome(say=turn.text(self.get("confirm"), **{**self.values(turn), **result.readback}),
                           expect=self.expect(turn, confirming=True))
        turn.event("matched")
        return self.accept(turn, result.value)

    def retry(self, turn: Turn, kind: str, *, reason: str | None = None, values: dict | None = None,
              text: Any = None, said: list | None = None) -> Outcome:
        count = turn.state.count(self.name, kind)
        turn.event("no-input" if kind == "no_input" else ("invalid" if reason else "no-match"), reason)
        if turn.state.attempts(self.name) >= self.get("max_attempts"):
            return self.exhausted(turn)
        if said is not None:
            return Outcome(say=said, expect=self.expect(turn))
        if text is None and reason:
            text = (self.get("invalid") or {}).get(reason)
        if text is None:
            ladder = self.get(kind)
            text = ladder[min(count, len(ladder)) - 1]
        return self.ask(turn, text, **(values or {}))

    def control(self, turn: Turn, control: str) -> Outcome:
        """Words that steer rather than answer: repeat, help, start again, agent."""
        state = turn.state
        controls = turn.flow.controls
        turn.event(control)
        if control == "agent" and controls.get("agent"):
            state.pending = None
            state.handoff_reason = "agent-requested"
            return Outcome(goto=controls["agent"])
        if control == "restart":
            state.pending = None
            state.partial = None
            target = controls.get("restart")
            if target and target != self.name:
                state.customer_number = None
                state.factors = {}
                state.recovery = None
                return Outcome(say=turn.text(controls.get("restart_prompt", "")), goto=target)
            return self.ask(turn, self.prompt(turn))
        state.controls += 1
        if state.controls > MAX_CONTROLS:
            # Asked again and again: count it as a failed try so the conversation still moves on.
            return self.retry(turn, "no_match")
        if state.pending and state.pending.get("step") == self.name:
            stored = self.restore(state.pending["value"])
            say = turn.text(self.get("confirm"), **{**self.values(turn), **self.readback(turn, stored)})
            return Outcome(say=say, expect=self.expect(turn, confirming=True))
        if control == "help":
            helper = self.get("help") or controls.get("help")
            return Outcome(say=turn.text(helper, **self.values(turn)) + turn.text(self.prompt(turn), **self.values(turn)),
                           expect=self.expect(turn))
        return self.ask(turn, self.prompt(turn))

    def exhausted(self, turn: Turn) -> Outcome:
        turn.state.pending = None
        turn.state.handoff_reason = "attempts-exhausted"
        turn.event("exhausted")
        return Outcome(goto=self.get("on_fail"))

    def _confirmation(self, turn: Turn, inp: Input, pending: dict[str, Any]) -> Outcome:
        if inp.kind == "digits":
            answer = {"1": True, "2": False}.get(inp.value.strip().rstrip("#"))
        elif inp.kind in ("speech", "text"):
            answer = read_yes_no(inp.value)
        else:
            answer = None
        if answer is None:
            turn.event("no-input" if inp.kind == "silence" else "no-match", "confirmation")
            turn.state.count(self.name, "no_input" if inp.kind == "silence" else "no_match")
            if turn.state.attempts(self.name) >= self.get("max_attempts"):
                return self.exhausted(turn)
            stored = self.restore(pending["value"])
            return Outcome(say=turn.text(self.get("confirm"), **{**self.values(turn), **self.readback(turn, stored)}),
                           expect=self.expect(turn, confirming=True))
        turn.state.pending = None
        if answer:
            turn.event("confirmed")
            return self.accept(turn, self.restore(pending["value"]))
        if pending.get("alternatives"):
            # Not a failed try: the caller is choosing among a few readings (bounded by whoever offered them).
            following, *rest = pending["alternatives"]
            turn.state.pending = {"step": self.name, "value": following, "alternatives": rest}
            turn.event("confirming", "alternative")
            stored = self.restore(following)
            return Outcome(say=turn.text(self.get("confirm"), **{**self.values(turn), **self.readback(turn, stored)}),
                           expect=self.expect(turn, confirming=True))
        # A "no" is a failed try: it counts, so a caller cannot be kept in a loop.
        return self.retry(turn, "no_match", text=self.prompt(turn))

    def readback(self, turn: Turn, value: Any) -> dict[str, Any]:
        return {}
