"""A unified diff as table rows a person (or a screen reader) can follow: each line with its line
numbers in the old and the new file, and whether it was added, removed or kept."""
from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Row:
    kind: str  # hunk | added | removed | kept
    old: int | None
    new: int | None
    text: str


def _span(start: int, count: str | None) -> str:
    size = 1 if count is None else int(count)
    if size == 0:
        return "none"
    return f"line {start}" if size == 1 else f"lines {start}-{start + size - 1}"


def rows(lines: list[str]) -> list[Row]:
    """The rows of one file's unified diff (its ---/+++ header left out)."""
    found: list[Row] = []
    old = new = 0
    body = lines[2:] if len(lines) >= 2 and lines[0].startswith("---") and lines[1].startswith("+++") else lines
    for line in body:
        hunk = _HUNK.match(line)
        if hunk:
            old, new = int(hunk[1]), int(hunk[3])
            found.append(Row("hunk", None, None, f"{_span(old, hunk[2])} before, {_span(new, hunk[4])} after"))
        elif line.startswith("+"):
            found.append(Row("added", None, new, line[1:]))
            new += 1
        elif line.startswith("-"):
            found.append(Row("removed", old, None, line[1:]))
            old += 1
        else:
            found.append(Row("kept", old, new, line[1:]))
            old += 1
            new += 1
    return found
