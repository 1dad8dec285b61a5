"""YAML that remembers where each value came from, so every configuration error names file and line."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Key = tuple[Any, ...]


class ConfigError(ValueError):
    """A problem in a file a supervisor edits: says where, what is wrong and what was expected."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Source:
    """Parsed YAML plus the line of every mapping key and sequence item (1-based)."""

    file: str
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)

    def line(self, path: Key) -> int:
        # Fall back to the nearest enclosing node that has a line: better than line 1.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Key, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


def _walk(node: yaml.Node, path: Key, lines: dict[Key, int], problems: list[Problem], file: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in out:
                problems.append(Problem(file, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, path + (key,), lines, problems, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_walk(item, path + (index,), lines, problems, file))
        return items
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _construct(node)
    # A mapping or list used as a key: not something our files use.
    return repr(node)


def _construct(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def parse_yaml(text: str, file: str) -> Source:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(file, line, f"not valid YAML: {reason}")]) from None
    if node is None:
        return Source(file, None, {(): 1})
    lines: dict[Key, int] = {}
    problems: list[Problem] = []
    data = _walk(node, (), lines, problems, file)
    if problems:
        raise ConfigError(problems)
    return Source(file, data, lines)


def load_yaml(path: Path, display_name: str | None = None) -> Source:
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(name, 1, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(name, 1, f"not UTF-8 text ({exc.reason})")]) from None
    return parse_yaml(text, name)
