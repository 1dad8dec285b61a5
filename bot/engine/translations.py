"""Prompts in other languages, one file per language: flows/lang/<code>.yaml mirrors the flow's
steps and holds only the wording, so a translator edits one file and the flow keeps its shape.

    # flows/lang/es.yaml
    steps:
      customer_number:
        prompt: {voice: "Introduzca su número de cliente...", chat: "Escriba su número de cliente."}
        no_input: ["...", "..."]
    controls:
      help: "..."

At load time each prompt becomes {en: <flow wording>, es: <translation>}; a prompt with no
translation for a declared language is reported at the flow's line, naming the file to fix.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.source import Problem, Source

TEXT_KINDS = ("text", "texts")


def is_per_language(value: Any, languages: list[str]) -> bool:
    return isinstance(value, Mapping) and any(lang in value for lang in languages)


def merge(value: Any, path: tuple, *, default: str, translations: dict[str, Source], flow: Source,
          kind: str) -> tuple[Any, list[Problem]]:
    """The value with every declared language; `path` locates it in the flow and in each translation."""
    languages = [default, *translations]
    if kind == "texts" and isinstance(value, list):
        merged, problems = [], []
        for index, item in enumerate(value):
            one, found = merge(item, path + (index,), default=default, translations=translations, flow=flow, kind="text")
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
            where = ".".join(str(p) for p in path)
            problems.append(flow.problem(path, f"prompt has no {language!r} wording: add {where} to {source.file}"))
        else:
            combined[language] = translated
    # With a wording missing the prompt stays as written: the problem above is reported once.
    return (value if problems else combined), problems


def unknown_entries(source: Source, flow_data: Mapping) -> list[Problem]:
    """Translations for steps or fields the flow does not have: usually a renamed step."""
    problems = []
    data = source.data or {}
    if not isinstance(data, Mapping):
        return [source.problem((), "expected `steps:` (and optionally `controls:`) mirroring the flow")]
    for key in data:
        if key not in ("steps", "controls"):
            problems.append(source.problem((key,), f"unknown field {key!r}; expected steps, controls"))
    steps = flow_data.get("steps") or {}
    for name, fields in (data.get("steps") or {}).items():
        if name not in steps:
            problems.append(source.problem(("steps", name), f"the flow has no step {name!r} to translate"))
        elif isinstance(fields, Mapping):
            for field in fields:
                if field not in (steps[name] or {}):
                    problems.append(source.problem(("steps", name, field), f"step {name!r} has no field {field!r} to translate"))
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
