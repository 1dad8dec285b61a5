"""Let the caller choose a department: a key, the key's number spoken, or what they want in their own words.

An option may go to a step instead (`step: balance`, a self-service `lookup`), with `words:` callers
may use for it; `only_if: self_service` offers it only when that service is configured
(SELF_SERVICE_URL), so the menu never promises what cannot be done."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.context import Turn
from bot.engine.io import Expect, Input, Option
from bot.engine.steps.asking import ASKING_SPECS, Accepted, AskingStep, Rejected
from bot.engine.steps.base import Outcome, Spec
from bot.engine.text import channel_group
from bot.understanding import match_intent, read_characters
from bot.yaml_source import did_you_mean

SPECIAL_DEPARTMENTS = ("$default", "$general")
OPTION_FIELDS = ("key", "department", "step", "say", "words", "only_if")
# What an option may depend on: a service that is configured or not.
CONDITIONS = ("self_service",)
STEP_CHOICE = "step:"  # a chosen option that goes to a step, not to a department


class MenuStep(AskingStep):
    type = "menu"
    specs = {
        **{k: v for k, v in ASKING_SPECS.items() if k not in ("confirm", "invalid")},
        "options": Spec("list", required=True),
        "intent_threshold": Spec("float", minimum=50, maximum=100, default=80),
    }

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        problems = super().extra_problems(bundle)
        keys: set[str] = set()
        for index, option in enumerate(self.data.get("options") or []):
            if not isinstance(option, Mapping):
                problems.append((("options", index), "expected an option with key, department (or step) and say"))
                continue
            for field in ("key", "say"):
                if field not in option:
                    problems.append((("options", index), f"option is missing {field!r}"))
            if ("department" in option) == ("step" in option):
                problems.append((("options", index), "an option goes to a department or to a step: give one of them"))
            for field in option:
                if field not in OPTION_FIELDS:
                    problems.append((("options", index, field), f"unknown option field {field!r}{did_you_mean(field, OPTION_FIELDS)}; "
                                                                f"expected {', '.join(OPTION_FIELDS)}"))
            key = str(option.get("key", ""))
            if key and (len(key) != 1 or key not in "0123456789*#"):
                problems.append((("options", index, "key"), f"expected one keypad key (0-9, * or #), got {key!r}"))
            if key in keys:
                problems.append((("options", index, "key"), f"key {key!r} is used twice in this menu"))
            keys.add(key)
            department = option.get("department")
            if department is not None and department not in SPECIAL_DEPARTMENTS and department not in bundle.departments:
                problems.append((("options", index, "department"),
                                 f"unknown department {department!r}{did_you_mean(department, bundle.departments)}; "
                                 f"departments.yaml defines: {', '.join(sorted(bundle.departments))}"))
            condition = option.get("only_if")
            if condition is not None and condition not in CONDITIONS:
                problems.append((("options", index, "only_if"), f"expected {' or '.join(CONDITIONS)}, got {condition!r}"))
            words = option.get("words")
            if words is not None and (not isinstance(words, list) or not all(isinstance(w, str) and w for w in words)):
                problems.append((("options", index, "words"), "expected a list of words or phrases, e.g. [balance, saldo]"))
        return problems

    def transitions(self) -> dict[str, str]:
        found = super().transitions()
        for index, option in enumerate(self.data.get("options") or []):
            if isinstance(option, Mapping) and isinstance(option.get("step"), str):
                found[f"options.{index}.step"] = option["step"]
        return found

    def options_for(self, turn: Turn) -> list[Mapping[str, Any]]:
        """The options this conversation is offered: those whose condition holds."""
        return [o for o in self.options if o.get("only_if") != "self_service" or turn.services.self_service is not None]

    @property
    def options(self) -> list[Mapping[str, Any]]:
        return self.get("options")

    def values(self, turn: Turn) -> dict[str, Any]:
        spoken = [turn.text(o["say"])[0].text for o in self.options_for(turn) if turn.text(o["say"])]
        if channel_group(turn.state.channel) == "chat":
            # Written options read best one to a line (an SMS shows the line breaks as they are).
            return {"options": "\n" + "\n".join(spoken) + "\n"}
        return {"options": " ".join(spoken)}

    def keypad_timing_applies(self) -> bool:
        return False  # one key ends it

    def expect(self, turn: Turn, *, confirming: bool = False) -> Expect:
        base = super().expect(turn, confirming=confirming)
        labels = tuple(Option(str(o["key"]), turn.text(o["say"])[0].text) for o in self.options_for(turn))
        return Expect(**{**base.__dict__, "num_digits": 1, "options": labels})

    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected:
        options = self.options_for(turn)
        by_key = {str(o["key"]): o for o in options}
        value = inp.value.strip().rstrip("#")
        if inp.kind == "digits":
            option = by_key.get(value[:1])
            return Accepted(_choice(option), _choice(option)) if option else Rejected()
        # "two" picks key 2; but "for billing" must not become key 4, so a repaired reading is no key.
        reading = read_characters(value, layout="D")
        spoken_key = reading.value if not reading.repaired else None
        if spoken_key in by_key:
            return Accepted(_choice(by_key[spoken_key]), _choice(by_key[spoken_key]))
        synonyms = self.synonyms_by_department(turn.bundle.departments, options)
        choice = match_intent(value, synonyms, threshold=self.get("intent_threshold"))
        return Accepted(choice, choice) if choice else Rejected()

    def synonyms_by_department(self, departments, options=None) -> dict[str, list[str]]:
        """What a caller may say for each department this menu offers: its label, name and synonyms
        (and for an option that goes to a step, its `words`)."""
        synonyms: dict[str, list[str]] = {}
        for option in self.options if options is None else options:
            if option.get("step"):
                if option.get("words"):
                    synonyms[_choice(option)] = list(option["words"])
                continue
            name = option["department"]
            if name in SPECIAL_DEPARTMENTS:
                continue
            department = departments[name]
            synonyms[name] = [department.label, name, *department.synonyms]
        return synonyms

    def accept(self, turn: Turn, value: Any) -> Outcome:
        if isinstance(value, str) and value.startswith(STEP_CHOICE):
            return Outcome(goto=value[len(STEP_CHOICE):])
        turn.state.department = turn.bundle.resolve_department(value, turn.state)
        turn.state.handoff_reason = "selected"
        return Outcome(goto=self.get("next"))


def _choice(option: Mapping[str, Any]) -> str:
    return STEP_CHOICE + option["step"] if option.get("step") else option["department"]
