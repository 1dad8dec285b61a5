"""A conversation flow read from YAML and checked before it can run."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.engine import ssml, twilio_values
from bot.engine.builtin_texts import builtin_texts
from bot.engine.steps import STEP_TYPES, Step
from bot.engine.steps.base import Spec, check_field
from bot.engine.translations import TEXT_KINDS, merge, unknown_entries
from bot.yaml_source import Problem, Source, did_you_mean

TOP_LEVEL = {"name", "start", "languages", "settings", "controls", "steps", "texts"}
CONTROLS = {"agent": "step", "restart": "step", "help": "text", "restart_prompt": "text"}
SETTINGS = {
    "date_layout": ("DDMMYYYY", "MMDDYYYY"),
    "confirm_below_confidence": (0.0, 1.0),
    "timeout": (1, 60),
    "voice": None,
}


@dataclass
class Flow:
    name: str
    start: str
    languages: list[str]
    settings: dict[str, Any]
    steps: dict[str, Step]
    controls: dict[str, Any] = field(default_factory=dict)
    # Built-in wording (after hours, the voicemail goodbye) by name, per language: builtin_texts.py.
    texts: dict[str, Any] = field(default_factory=dict)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def voice_for(self, language: str) -> dict[str, str]:
        return dict((self.settings.get("voice") or {}).get(language) or {})


def parse_flow(source: Source, bundle, translations: dict[str, Source] | None = None) -> tuple[Flow | None, list[Problem]]:
    data = source.data
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return None, [source.problem((), "expected a flow: name, start, languages, settings, steps")]
    for key in data:
        if key not in TOP_LEVEL:
            problems.append(source.problem((key,), f"unknown field {key!r}{did_you_mean(key, TOP_LEVEL)}; "
                                                   f"expected one of {', '.join(sorted(TOP_LEVEL))}"))
    languages = data.get("languages") or ["en"]
    if not isinstance(languages, list) or not all(isinstance(x, str) and x for x in languages):
        problems.append(source.problem(("languages",), "expected a list of language codes, e.g. [en, es]"))
        languages = ["en"]
    settings = data.get("settings") or {}
    problems += _check_settings(source, settings)
    translations = {lang: src for lang, src in (translations or {}).items() if lang in languages[1:]}
    for language in languages[1:]:
        if language not in translations:
            problems.append(source.problem(("languages",), f"language {language!r} is declared but flows/lang/{language}.yaml is missing"))
    for translation in translations.values():
        problems += unknown_entries(translation, data)
    texts, found = builtin_texts(source, translations, languages)
    problems += found
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, Mapping) or not raw_steps:
        problems.append(source.problem(("steps",), "expected `steps:` with at least one step"))
        return None, problems
    steps: dict[str, Step] = {}
    for name, spec in raw_steps.items():
        spec, found = _translate(source, str(name), spec, languages[0], translations)
        # A step renamed in the flow but not in a translation is one message (the translation's).
        problems += [p for p in found if not _renamed(str(name), translations, raw_steps)]
        step, step_problems = _parse_step(source, str(name), spec, languages, bundle)
        problems += step_problems
        if step is not None:
            steps[str(name)] = step
    controls = dict(data.get("controls") or {}) if isinstance(data.get("controls") or {}, Mapping) else data.get("controls")
    if isinstance(controls, dict):
        for key in [k for k, kind in CONTROLS.items() if kind == "text" and k in controls]:
            controls[key], found = merge(controls[key], ("controls", key), default=languages[0],
                                         translations=translations, flow=source, kind="text")
            problems += found
    problems += _check_controls(source, controls, raw_steps, languages)
    start = data.get("start")
    if start not in raw_steps:
        problems.append(source.problem(("start",), f"start names a step that does not exist: {start!r}"
                                                   f"{did_you_mean(start, raw_steps)}"))
    # A step name mistyped in one place must give one message, not a list of steps "never
    # reached" behind it: the reachability check follows the suggested name, or is left out.
    guessed: dict[str, str] = {}
    unresolved = False
    for name, step in steps.items():
        for field_name, target in step.transitions().items():
            if target not in raw_steps:
                hint = did_you_mean(target, raw_steps)
                problems.append(source.problem(("steps", name, field_name),
                                               f"{field_name} goes to a step that does not exist: {target!r}{hint}"))
                if hint:
                    guessed[target] = hint.split("'")[1]
                else:
                    unresolved = True
    if isinstance(controls, Mapping):
        for key, target in controls.items():
            if CONTROLS.get(key) == "step" and isinstance(target, str) and target not in raw_steps:
                hint = did_you_mean(target, raw_steps)
                if hint:
                    guessed[target] = hint.split("'")[1]
                else:
                    unresolved = True
    dangling = bool(guessed) or unresolved
    if start in raw_steps and not unresolved:
        entry_points = [start] + [v for k, v in controls.items() if CONTROLS.get(k) == "step"] \
            if isinstance(controls, Mapping) else [start]
        reachable = _reachable_raw(entry_points, steps, raw_steps, guessed)
        for name in raw_steps:
            if name not in reachable and name in steps:
                problems.append(source.problem(("steps", name), f"step {name!r} can never be reached from {start!r}"))
    if not dangling and len(steps) == len(raw_steps):
        problems += _loops(source, steps)
    if problems:
        return None, problems
    return Flow(str(data.get("name", "default")), start, languages, dict(settings), steps, dict(controls), texts), []


def _loops(source: Source, steps: dict[str, Step]) -> list[Problem]:
    """Two ways a flow can trap a caller: steps that pass control around without ever waiting
    for input (the engine would spin), and steps from which no handoff or end can be reached."""
    problems = []
    instant = {name for name, step in steps.items() if not step.waits_for_input and step.transitions()}
    for cycle in _cycles({name: [t for t in steps[name].transitions().values() if t in instant] for name in instant}):
        path = " -> ".join(cycle + [cycle[0]])
        problems.append(source.problem(("steps", cycle[0]), f"loop without waiting for the caller: {path}"))
    exits = {name for name, step in steps.items() if not step.transitions()}
    can_exit = set(exits)
    changed = True
    while changed:
        changed = False
        for name, step in steps.items():
            if name not in can_exit and any(t in can_exit for t in step.transitions().values()):
                can_exit.add(name)
                changed = True
    for name in steps:
        if name not in can_exit:
            problems.append(source.problem(("steps", name), f"loop with no exit: from {name!r} no handoff or end can be reached"))
    return problems


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected loop (small graphs: a DFS is plenty)."""
    found: list[list[str]] = []
    seen_members: set[str] = set()
    for start in sorted(graph):
        if start in seen_members:
            continue
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == start:
                    found.append(path)
                    seen_members.update(path)
                    stack.clear()
                    break
                if nxt not in path:
                    stack.append((nxt, path + [nxt]))
    return found


def _check_controls(source: Source, controls: Any, raw_steps: Mapping, languages: list[str]) -> list[Problem]:
    """`controls:` says where "agent" and "start again" go, and what "help" says, at any question."""
    if not isinstance(controls, Mapping):
        return [source.problem(("controls",), "expected agent, restart, help, restart_prompt")]
    problems = []
    for key, value in controls.items():
        path = ("controls", key)
        if key not in CONTROLS:
            problems.append(source.problem(path, f"unknown control {key!r}{did_you_mean(key, CONTROLS)}; "
                                                 f"expected one of {', '.join(CONTROLS)}"))
            continue
        message = check_field(Spec(CONTROLS[key]), value, key)
        if message:
            problems.append(source.problem(path, message))
        elif CONTROLS[key] == "step" and value not in raw_steps:
            problems.append(source.problem(path, f"{key} goes to a step that does not exist: {value!r}"
                                                 f"{did_you_mean(value, raw_steps)}"))
        elif CONTROLS[key] == "text":
            problems += _check_languages(source, path, value, languages)
    return problems


def _check_settings(source: Source, settings: Any) -> list[Problem]:
    if not isinstance(settings, Mapping):
        return [source.problem(("settings",), "expected a mapping of settings")]
    problems = []
    for key, value in settings.items():
        path = ("settings", key)
        if key not in SETTINGS:
            problems.append(source.problem(path, f"unknown setting {key!r}{did_you_mean(key, SETTINGS)}; "
                                                 f"expected one of {', '.join(SETTINGS)}"))
            continue
        allowed = SETTINGS[key]
        if isinstance(allowed, tuple) and isinstance(allowed[0], str) and value not in allowed:
            problems.append(source.problem(path, f"expected one of {', '.join(allowed)}, got {value!r}"))
        elif isinstance(allowed, tuple) and not isinstance(allowed[0], str):
            low, high = allowed
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                problems.append(source.problem(path, f"expected a number from {low} to {high}, got {value!r}"))
        elif key == "voice" and not isinstance(value, Mapping):
            problems.append(source.problem(path, "expected voice settings per language, e.g. en: {voice: Polly.Amy, language: en-GB}"))
        elif key == "voice":
            problems += _voice_problems(source, value)
    return problems


def _voice_problems(source: Source, voices: Mapping) -> list[Problem]:
    """Each language's <Say> voice and language, against the values Twilio documents."""
    problems = []
    for language, spec in voices.items():
        path = ("settings", "voice", language)
        if not isinstance(spec, Mapping) or set(spec) - {"voice", "language"}:
            problems.append(source.problem(path, "expected {voice: ..., language: ...}, e.g. {voice: Polly.Amy, language: en-GB}"))
            continue
        voice, tag = spec.get("voice"), spec.get("language")
        message = twilio_values.voice_problem(voice) if voice is not None else None
        if message:
            problems.append(source.problem(path + ("voice",), message))
        if tag is not None and tag not in twilio_values.SAY_LANGUAGES:
            problems.append(source.problem(path + ("language",), f"Twilio has no language {tag!r}"
                                                                 f"{did_you_mean(tag, twilio_values.SAY_LANGUAGES)}; "
                                                                 "expected a tag such as en-GB, en-US, es-ES"))
        elif not message and voice is not None and tag is not None:
            spoken = twilio_values.voice_language(voice)
            if spoken is not None and spoken != tag and spoken.split("-")[0] != tag.split("-")[0]:
                problems.append(source.problem(path + ("voice",), f"{voice} speaks {spoken}, not {tag}: choose a "
                                                                  f"voice for {tag}"))
    return problems


def _translate(source: Source, name: str, spec: Any, default: str, translations: dict[str, Source]) -> tuple[Any, list[Problem]]:
    """The step with each prompt given in every declared language (see translations.py)."""
    cls = STEP_TYPES.get(spec.get("type")) if isinstance(spec, Mapping) else None
    if cls is None or not translations or not cls.translatable:
        return spec, []
    spec, problems = dict(spec), []
    for key, value in spec.items():
        field_spec = cls.specs.get(key)
        if field_spec is not None and field_spec.kind in TEXT_KINDS:
            spec[key], found = merge(value, ("steps", name, key), default=default, translations=translations,
                                     flow=source, kind=field_spec.kind)
            problems += found
    if isinstance(spec.get("ab_test"), Mapping) and "prompt" in spec["ab_test"]:
        test = dict(spec["ab_test"])
        test["prompt"], found = merge(test["prompt"], ("steps", name, "ab_test", "prompt"), default=default,
                                      translations=translations, flow=source, kind="text")
        problems += found
        spec["ab_test"] = test
    if isinstance(spec.get("invalid"), Mapping):
        invalid = {}
        for reason, wording in spec["invalid"].items():
            invalid[reason], found = merge(wording, ("steps", name, "invalid", reason), default=default,
                                           translations=translations, flow=source, kind="text")
            problems += found
        spec["invalid"] = invalid
    keyed = all(isinstance(_translated_options(t, name), (dict, type(None))) for t in translations.values())
    if isinstance(spec.get("options"), list) and keyed:
        # Options are translated by their key (lang/es.yaml: options: {"1": {say: ...}}), never by
        # position: inserting an option must not shift every translation by one.
        from bot.engine.translations import stray_keys

        keys = [str(o.get("key")) for o in spec["options"] if isinstance(o, Mapping)]
        # Stray keys in a translation (or a key used twice here) say it all in one message.
        quiet = len(set(keys)) != len(keys) or any(stray_keys(t, name, spec["options"]) for t in translations.values())
        options = []
        for index, option in enumerate(spec["options"]):
            if isinstance(option, Mapping) and "say" in option and "key" in option:
                option = dict(option)
                option["say"], found = merge(option["say"], ("steps", name, "options", str(option["key"]), "say"),
                                             default=default, translations=translations, flow=source, kind="text",
                                             flow_path=("steps", name, "options", index, "say"))
                problems += [] if quiet else found
            options.append(option)
        spec["options"] = options
    return spec, problems


def _renamed(step: str, translations: dict[str, Source], raw_steps: Mapping) -> bool:
    from bot.engine.translations import stray_steps

    for source in translations.values():
        steps = source.data.get("steps") if isinstance(source.data, Mapping) else None
        if isinstance(steps, Mapping) and step not in steps and stray_steps(source, raw_steps):
            return True
    return False


def _translated_options(source: Source, step: str) -> Any:
    steps = source.data.get("steps") if isinstance(source.data, Mapping) else None
    fields = steps.get(step) if isinstance(steps, Mapping) else None
    return fields.get("options") if isinstance(fields, Mapping) else None


def _parse_step(source: Source, name: str, spec: Any, languages: list[str], bundle) -> tuple[Step | None, list[Problem]]:
    path = ("steps", name)
    if not isinstance(spec, Mapping):
        return None, [source.problem(path, "expected a step with a `type` and its fields")]
    kind = spec.get("type")
    cls = STEP_TYPES.get(kind)
    if cls is None:
        return None, [source.problem(path + ("type",) if "type" in spec else path,
                                     f"unknown step type {kind!r}{did_you_mean(kind, STEP_TYPES)}; "
                                     f"expected one of {', '.join(STEP_TYPES)}")]
    problems = []
    # A required field indented one level too far (`next:` under `gather:`) is one mistake: say
    # where it went, and neither "missing next" nor "unknown Gather setting next".
    misplaced = {}
    for key, field_spec in cls.specs.items():
        if field_spec.required and key not in spec:
            holder = next((k for k, v in spec.items() if isinstance(v, Mapping) and key in v), None)
            if holder is not None:
                misplaced[key] = holder
                problems.append(source.problem(path + (holder, key), f"{key}: is indented under {holder}:, so it is "
                                                                     f"read as part of {holder}; move it left to line "
                                                                     f"up with {holder}: (it belongs to the step)"))
    for key, value in spec.items():
        if key == "type":
            continue
        if key not in cls.specs:
            hint = did_you_mean(key, cls.specs)
            near = hint.split("'")[1] if hint else None
            if near and cls.specs[near].required and near not in spec:
                misplaced[near] = None  # a misspelt required field: one message, not "missing" as well
            problems.append(source.problem(path + (key,), f"unknown field {key!r} for {'an' if kind[0] in 'aeiou' else 'a'} {kind} step"
                                                          f"{hint}; expected one of {', '.join(cls.specs)}"))
            continue
        if isinstance(value, Mapping) and any(holder == key for holder in misplaced.values()):
            continue
        message = check_field(cls.specs[key], value, key)
        if message:
            problems.append(source.problem(path + (key,), message))
        elif cls.specs[key].kind in ("text", "texts"):
            problems += _check_languages(source, path + (key,), value, languages)
            problems += [source.problem(path + (key,), message) for message in _ssml_problems(value)]
    for key, field_spec in cls.specs.items():
        if field_spec.required and key not in spec and key not in misplaced:
            problems.append(source.problem(path, f"{kind} step {name!r} is missing the required field {key!r}"))
    if problems:
        return None, problems
    step = cls(name, {k: v for k, v in spec.items() if k != "type"})
    problems += [source.problem(path + sub, message) for sub, message in step.extra_problems(bundle)]
    return (None if problems else step), problems


def _check_languages(source: Source, path: tuple, value: Any, languages: list[str]) -> list[Problem]:
    """A prompt written per language must have every language the flow declares."""
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _check_languages(source, path + (i,), v, languages)]
    if isinstance(value, Mapping) and set(value) <= {"voice", "chat"}:
        return [p for k, v in value.items() for p in _check_languages(source, path, v, languages)]
    if not isinstance(value, Mapping) or not any(lang in value for lang in languages):
        return []
    missing = [lang for lang in languages if lang not in value]
    return [source.problem(path, f"prompt has no {lang!r} wording; the flow declares languages {languages}") for lang in missing]


def _ssml_problems(value: Any) -> list[str]:
    """Markup in a prompt must be the SSML subset Twilio speaks (see ssml.py)."""
    if isinstance(value, str):
        if not ssml.has_markup(value):
            return []
        try:
            ssml.parse(value)
        except ValueError as exc:
            return [str(exc)]
        return []
    if isinstance(value, Mapping):
        return [m for v in value.values() for m in _ssml_problems(v)]
    if isinstance(value, list):
        return [m for v in value for m in _ssml_problems(v)]
    return []


def _reachable_raw(entry_points: list, steps: dict[str, Step], raw_steps: Mapping, guessed: dict[str, str]) -> set[str]:
    """Steps reachable from the entry points. A step that failed to load counts every step name it
    mentions as a way on, so its own mistake does not make the steps after it look unreachable."""
    seen: set[str] = set()
    todo = [guessed.get(e, e) for e in entry_points if isinstance(e, str)]
    while todo:
        name = todo.pop()
        if name in seen or name not in raw_steps:
            continue
        seen.add(name)
        if name in steps:
            todo.extend(guessed.get(t, t) for t in steps[name].transitions().values())
        elif isinstance(raw_steps[name], Mapping):
            todo.extend(v for v in _strings(raw_steps[name]) if v in raw_steps)
    return seen


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
