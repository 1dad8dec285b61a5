"""Prompt text as supervisors write it: per language, optionally per channel, with {placeholders}."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.engine.io import Segment

CHANNEL_GROUPS = ("voice", "chat")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def channel_group(channel: str) -> str:
    return "voice" if channel == "voice" else "chat"


def resolve(text: Any, *, language: str, default_language: str, channel: str) -> str:
    """Pick the wording for a language and channel; a plain string serves every language and channel."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, Mapping):
        group = channel_group(channel)
        if group in text or any(k in text for k in CHANNEL_GROUPS):
            return resolve(text.get(group, text.get("voice", "")), language=language,
                           default_language=default_language, channel=channel)
        chosen = text.get(language, text.get(default_language))
        if chosen is None and text:
            chosen = next(iter(text.values()))
        return resolve(chosen, language=language, default_language=default_language, channel=channel)
    return str(text)


def render(template: str, values: Mapping[str, Any] | None = None) -> list[Segment]:
    """Fill {placeholders}; a value that is a list of Segments (a number read back digit by digit) is spliced in."""
    values = values or {}
    segments: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in values:
            continue
        before = template[position:match.start()]
        if before:
            segments.append(Segment(before))
        value = values[name]
        if isinstance(value, list):
            segments.extend(value)
        else:
            segments.append(Segment(str(value)))
        position = match.end()
    rest = template[position:]
    if rest:
        segments.append(Segment(rest))
    return _merge(segments)



def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        last = merged[-1] if merged else None
        if last and seg.kind == "text" and last.kind == "text" and (seg.language, seg.voice) == (last.language, last.voice):
            merged[-1] = Segment(last.text + seg.text, language=last.language, voice=last.voice)
        else:
            merged.append(seg)
    return merged
