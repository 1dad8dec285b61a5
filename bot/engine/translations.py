"""Prompts in other languages, one file per language: flows/lang/<code>.yaml mirrors the flow's
steps and holds only the wording, so a translator edits one file and the flow keeps its shape.

    # flows/lang/es.yaml
    steps:
      customer_number:
        prompt: {voice: "Introduzca su número de cliente...", chat: "Escriba su número de cliente."}
        no_input: ["...", "..."]
        options:                  # a menu's options, by their key (never by position)
          "1": {say: "Para facturas, pulse 1."}
    controls:
      help: "..."
    texts:                        # built-in wording (bot/engine/builtin_texts.py)
      voicemail_goodbye: "Gracias. Adiós."

At load time each prompt becomes {en: <flow wording>, es: <translation>}; a prompt with no
translation for a declared language is reported at the flow's line, naming the file to fix.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.yaml_source import Problem, Source

TEXT_KINDS = ("text", "texts")


def is_per_language(value: Any, languages: list[str]) -> bool:
    return isinstance(value, Mapping) and any(lang in value for lang in languages)


def show_path(path: tuple) -> str:
    """steps.main_menu.options."4".say: option keys quoted, so they never read as positions."""
    parts = []
    for index, part in enumerate(path):
        quoted = index > 0 and path[index - 1] == "options" and isinstance(part, str)
        parts.append(f'"{part}"' if quoted else str(part))
    return ".".join(parts)


def merge(value: Any, path: tuple, *, default: str, translations: dict[str, Source], flow: Source,
          kind: str, flow_path: tuple | None = None) -> tuple[Any, list[Problem]]:
    """The value with every declared language; `path` locates it in each translation, `flow_path`
    (default: the same) in the flow."""
    flow_path = flow_path or path
    languages = [default, *translations]
    if kind == "texts" and isinstance(value, list):
        merged, problems = [], []
        for index, item in enumerate(value):
            one, found = merge(item, path + (index,), default=default, translations=translations, flow=flow, kind="text",
                               flow_path=flow_path + (index,))
            merged.append(one)
            problems += found
        return merged, problems
    if is_per_language(value, languages) or not translations:
        return value, []
    combined = {default: value}
    problems = []
    for language, source in translations.items():
        translated = _lookup(source.data, path)
        if translated is None:
            problems.append(flow.problem(flow_path, f"prompt has no {language!r} wording: add {show_path(path)} "
                                                    f"to {source.file}"))
        else:
            combined[language] = translated
    # With a wording missing the prompt stays as written: the problem above is reported once.
    return (value if problems else combined), problems


def unknown_entries(source: Source, flow_data: Mapping) -> list[Problem]:
    """Translations for steps, fields or options the flow does not have: usually a renamed step, or
    a menu option whose key changed. Only wording is translated."""
    from bot.engine.builtin_texts import NAMES
    from bot.engine.steps import STEP_TYPES
    from bot.yaml_source import did_you_mean

    problems = []
    data = source.data or {}
    if not isinstance(data, Mapping):
        return [source.problem((), "expected `steps:` (and optionally `controls:`, `texts:`) mirroring the flow")]
    for key in data:
        if key not in ("steps", "controls", "texts"):
            problems.append(source.problem((key,), f"unknown field {key!r}{did_you_mean(key, ('steps', 'controls', 'texts'))}; "
                                                   "expected steps, controls, texts"))
    for name in (data.get("texts") or {}) if isinstance(data.get("texts"), Mapping) else ():
        if name not in NAMES:
            problems.append(source.problem(("texts", name), f"unknown built-in text {name!r}{did_you_mean(name, NAMES)}"))
    steps = flow_data.get("steps") or {}
    translated_steps = data.get("steps") or {}
    if not isinstance(translated_steps, Mapping):
        return problems + [source.problem(("steps",), "expected the flow's steps by name, each with its wording")]
    untranslated = [n for n, spec in steps.items() if n not in translated_steps and _has_wording(spec)]
    for name, fields in translated_steps.items():
        if name not in steps:
            hint = did_you_mean(name, steps) or (f" (renamed? steps with no wording here: {', '.join(untranslated)})"
                                                 if untranslated else "")
            problems.append(source.problem(("steps", name), f"the flow has no step {name!r} to translate{hint}"))
            continue
        if not isinstance(fields, Mapping):
            continue
        step = steps[name] if isinstance(steps[name], Mapping) else {}
        cls = STEP_TYPES.get(step.get("type"))
        misspelt = cls is not None and any(k not in cls.specs and k != "type" for k in step)
        for field in fields:
            if field not in step:
                if misspelt and field in cls.specs:
                    continue  # the flow's own field is misspelt, and reported there
                problems.append(source.problem(("steps", name, field), f"step {name!r} has no field {field!r} to translate"))
            elif cls is not None and field not in ("options", "invalid", "ab_test") and \
                    getattr(cls.specs.get(field), "kind", None) not in TEXT_KINDS:
                problems.append(source.problem(("steps", name, field), f"{field} is not wording: only prompts are "
                                                                       f"translated; remove it from {source.file}"))
        if "options" in fields and isinstance(step.get("options"), list):
            problems += _option_entries(source, name, fields["options"], step["options"])
    return problems


def _has_wording(spec: Any) -> bool:
    from bot.engine.steps import STEP_TYPES

    cls = STEP_TYPES.get(spec.get("type")) if isinstance(spec, Mapping) else None
    return cls is not None and cls.translatable and any(
        getattr(cls.specs.get(k), "kind", None) in TEXT_KINDS for k in spec)


def stray_keys(source: Source, step: str, options: list) -> bool:
    """The translation names option keys the flow's menu does not have (then the options missing
    a translation are said in that one message)."""
    steps = source.data.get("steps") if isinstance(source.data, Mapping) else None
    fields = steps.get(step) if isinstance(steps, Mapping) else None
    translated = fields.get("options") if isinstance(fields, Mapping) else None
    keys = {str(o.get("key")) for o in options if isinstance(o, Mapping)}
    return isinstance(translated, Mapping) and any(str(k) not in keys for k in translated)


def stray_steps(source: Source, flow_steps: Mapping) -> bool:
    steps = source.data.get("steps") if isinstance(source.data, Mapping) else None
    return isinstance(steps, Mapping) and any(name not in flow_steps for name in steps)


def _option_entries(source: Source, step: str, translated: Any, options: list) -> list[Problem]:
    path = ("steps", step, "options")
    if not isinstance(translated, Mapping):
        return [source.problem(path, 'options are translated by their key, not their position: write '
                                     '"1": {say: ...} for the option with key: "1"')]
    keys = [str(o.get("key")) for o in options if isinstance(o, Mapping)]
    if len(set(keys)) != len(keys):
        return []  # a key used twice in the flow is reported there
    missing = [k for k in keys if k not in {str(t) for t in translated}]
    problems = []
    for key, fields in translated.items():
        if str(key) not in keys:
            hint = f"; the options with no wording here: {', '.join(missing)}" if missing else f"; its keys are {', '.join(keys)}"
            problems.append(source.problem(path + (key,), f"step {step!r} has no option with key {str(key)!r} to "
                                                          f"translate{hint}"))
        elif not isinstance(fields, Mapping) or set(fields) - {"say"}:
            problems.append(source.problem(path + (key,), 'expected {say: ...}: the wording of the option'))
    return problems


def _lookup(data: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def stale_translations(old: Mapping[str, str], new: Mapping[str, str], *, since: str) -> list[Problem]:
    """Warnings for wording changed in default.yaml since version `since` whose translation did not
    change with it: the Spanish greeting may still say what the English one used to."""
    from bot.yaml_source import ConfigError, parse_yaml

    try:
        flow_new = parse_yaml(new["default.yaml"], "flows/default.yaml")
        flow_old = parse_yaml(old["default.yaml"], "default.yaml").data or {}
    except (ConfigError, KeyError):
        return []
    warnings = []
    for name in sorted(n for n in new if n.startswith("lang/")):
        try:
            lang_new = parse_yaml(new[name], name).data or {}
            lang_old = parse_yaml(old.get(name, ""), name).data or {}
        except ConfigError:
            continue
        for path, english in _wording(flow_new.data or {}):
            before = _lookup(flow_old, path)
            if before is None or before == english:
                continue
            translated = _translated(lang_new, path, flow_new.data)
            if translated is not None and translated == _translated(lang_old, path, flow_old):
                warnings.append(flow_new.warning(path, f"this wording changed since version {since} but its "
                                                       f"translation in flows/{name} did not: check it still says the same"))
    return warnings


def _wording(flow: Mapping):
    for section in ("controls", "texts"):
        for key, value in (flow.get(section) or {}).items() if isinstance(flow.get(section), Mapping) else ():
            yield (section, key), value
    for step, fields in (flow.get("steps") or {}).items() if isinstance(flow.get("steps"), Mapping) else ():
        for field, value in (fields or {}).items() if isinstance(fields, Mapping) else ():
            if field == "options" and isinstance(value, list):
                for index, option in enumerate(value):
                    if isinstance(option, Mapping) and "say" in option:
                        yield ("steps", step, "options", index, "say"), option["say"]
            elif field not in ("type", "next", "on_fail", "department", "policy", "factor", "gather"):
                yield ("steps", step, field), value


def _translated(lang: Any, path: tuple, flow: Any) -> Any:
    if len(path) == 5 and path[2] == "options":
        option = _lookup(flow, path[:4])
        key = str(option.get("key")) if isinstance(option, Mapping) else None
        return _lookup(lang, path[:3] + (key, "say"))
    return _lookup(lang, path)
