"""Let the caller choose a department: a key, the key's number spoken, or what they want in their own words."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.context import Turn
from bot.engine.io import Expect, Input, Option
from bot.engine.source import did_you_mean
from bot.engine.steps.asking import ASKING_SPECS, Accepted, AskingStep, Rejected
from bot.engine.steps.base import Outcome, Spec
from bot.engine.text import channel_group
from bot.understanding import match_intent, read_characters

SPECIAL_DEPARTMENTS = ("$default", "$general")


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
                problems.append((("options", index), "expected an option with key, department and say"))
                continue
            for field in ("key", "department", "say"):
                if field not in option:
                    problems.append((("options", index), f"option is missing {field!r}"))
            for field in option:
                if field not in ("key", "department", "say"):
                    problems.append((("options", index, field), f"unknown option field {field!r}; expected key, department, say"))
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
        return problems

    @property
    def options(self) -> list[Mapping[str, Any]]:
        return self.get("options")

    def values(self, turn: Turn) -> dict[str, Any]:
        spoken = [turn.text(o["say"])[0].text for o in self.options if turn.text(o["say"])]
        if channel_group(turn.state.channel) == "chat":
            # Written options read best one to a line (an SMS shows the line breaks as they are).
            return {"options": "\n" + "\n".join(spoken) + "\n"}
        return {"options": " ".join(spoken)}

    def keypad_timing_applies(self) -> bool:
        return False  # one key ends it

    def expect(self, turn: Turn, *, confirming: bool = False) -> Expect:
        base = super().expect(turn, confirming=confirming)
        labels = tuple(Option(str(o["key"]), turn.text(o["say"])[0].text) for o in self.options)
        return Expect(**{**base.__dict__, "num_digits": 1, "options": labels})

    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected:
        by_key = {str(o["key"]): o for o in self.options}
        value = inp.value.strip().rstrip("#")
        if inp.kind == "digits":
            option = by_key.get(value[:1])
            return Accepted(option["department"], option["department"]) if option else Rejected()
        # "two" picks key 2; but "for billing" must not become key 4, so a repaired reading is no key.
        reading = read_characters(value, layout="D")
        spoken_key = reading.value if not reading.repaired else None
        if spoken_key in by_key:
            return Accepted(by_key[spoken_key]["department"], by_key[spoken_key]["department"])
        choice = match_intent(value, self._synonyms(turn), threshold=self.get("intent_threshold"))
        return Accepted(choice, choice) if choice else Rejected()

    def _synonyms(self, turn: Turn) -> dict[str, list[str]]:
        return self.synonyms_by_department(turn.bundle.departments)

    def synonyms_by_department(self, departments) -> dict[str, list[str]]:
        """What a caller may say for each department this menu offers: its label, name and synonyms."""
        synonyms: dict[str, list[str]] = {}
        for option in self.options:
            name = option["department"]
            if name in SPECIAL_DEPARTMENTS:
                continue
            department = departments[name]
            synonyms[name] = [department.label, name, *department.synonyms]
        return synonyms

    def accept(self, turn: Turn, value: Any) -> Outcome:
        turn.state.department = turn.bundle.resolve_department(value, turn.state)
        turn.state.handoff_reason = "selected"
        return Outcome(goto=self.get("next"))
