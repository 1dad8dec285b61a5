"""The step contract and the field checks every step type shares.

A step is data (its fields from the flow file) plus two functions: `enter`, run when the
conversation arrives at the step, and `handle`, run with the caller's next input. Both return
an Outcome: what to say, and either what to wait for, or which step comes next.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.engine.context import Turn
from bot.engine.io import Expect, Input, OutgoingText, Recording, Segment
from bot.records import Handoff


@dataclass
class Outcome:
    say: list[Segment] = field(default_factory=list)
    expect: Expect | None = None
    goto: str | None = None
    handoff: Handoff | None = None
    end: bool = False
    record: Recording | None = None
    text_message: OutgoingText | None = None
    # An inline offer listening before the next question (see Reply.offer).
    offer: Expect | None = None
    # Text messages to send once the reply is on its way, whatever the step does next (a recovered number).
    texts: list[OutgoingText] = field(default_factory=list)


@dataclass(frozen=True)
class Spec:
    """One field a step type accepts: its kind, whether it is required, its allowed range."""

    kind: str  # text | texts | step | int | float | str | list | mapping | bool
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    hint: str | None = None  # said with a range error: what the number means


class Step:
    type: ClassVar[str]
    specs: ClassVar[dict[str, Spec]] = {}
    # Steps that ask the caller something; the others run and pass control on at once.
    waits_for_input: ClassVar[bool] = False
    # Whether the step's prompts come in every language (a language menu speaks each in its own).
    translatable: ClassVar[bool] = True

    def __init__(self, name: str, data: Mapping[str, Any]):
        self.name = name
        self.data = dict(data)

    def get(self, key: str) -> Any:
        value = self.data.get(key)
        return self.specs[key].default if value is None and key in self.specs else value

    def transitions(self) -> dict[str, str]:
        """Field name -> step name, for every field that names another step."""
        return {k: v for k, v in self.data.items()
                if k in self.specs and self.specs[k].kind == "step" and isinstance(v, str)}

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        """Checks only this step type knows (e.g. a factor name); (path-in-step, message) pairs."""
        return []

    def enter(self, turn: Turn) -> Outcome:
        raise NotImplementedError

    def handle(self, turn: Turn, inp: Input) -> Outcome:
        # Steps that wait for nothing are never handed input; be safe if a stale request arrives.
        return self.enter(turn)


def check_field(spec: Spec, value: Any, name: str | None = None) -> str | None:
    """A message saying what is wrong and what was expected (naming the field), or None when the value fits."""
    message = _field_message(spec, value)
    return f"{name}: {message}" if message and name else message


def _field_message(spec: Spec, value: Any) -> str | None:
    kind = spec.kind
    if kind in ("step", "str"):
        if not isinstance(value, str) or not value.strip():
            return f"expected a {'step name' if kind == 'step' else 'text value'}, got {value!r}"
        if spec.choices and value not in spec.choices:
            return f"expected one of {', '.join(spec.choices)}, got {value!r}"
    elif kind == "text":
        if not _is_text(value):
            return "expected a prompt: text, or text per language ({en: ...}) or per channel ({voice: ..., chat: ...})"
    elif kind == "texts":
        if not isinstance(value, list) or not value or not all(_is_text(v) for v in value):
            return "expected a list of at least one prompt"
    elif kind in ("int", "float"):
        ok_type = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type:
            return f"expected {'a whole number' if kind == 'int' else 'a number'}, got {value!r}"
        if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
            return (f"expected {spec.hint or 'a value'} from {spec.minimum:g} to {spec.maximum:g}, got {value!r}"
                    + (" (0.5 is half)" if spec.hint == "a fraction" else ""))
    elif kind == "bool":
        if not isinstance(value, bool):
            return f"expected true or false, got {value!r}"
    elif kind == "list":
        if not isinstance(value, list) or not value:
            return "expected a non-empty list"
    elif kind == "mapping":
        if not isinstance(value, Mapping):
            return "expected a mapping of fields"
    return None


def _is_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, Mapping) and value:
        return all(isinstance(k, str) and _is_text(v) for k, v in value.items())
    return False
