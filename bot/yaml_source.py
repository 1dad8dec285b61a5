"""YAML that remembers where each value came from, so every configuration error names file and line.

The files are read with YAML 1.2's core schema, not PyYAML's YAML 1.1 default: `no`, `on` and
`yes` stay words (`synonyms: [no]` is the word "no"), `12:30` is text, and a date is text that
the field reading it checks (so `2025-02-30` is a clear message, never a traceback). Aliases are
expanded under a budget and never into themselves, so a small file cannot take the memory of a
large one. Parser errors are said in plain words, with line, column and a hint.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Key = tuple[Any, ...]

# Far beyond any flow file (the shipped default.yaml has about 700 values); an alias bomb stops here.
MAX_VALUES = 50_000
MAX_DEPTH = 40
MAX_BYTES = 1_000_000


class ConfigError(ValueError):
    """A problem in a file a supervisor edits: says where, what is wrong and what was expected."""

    def __init__(self, problems: list["Problem"], warnings: list["Problem"] | None = None):
        self.problems = problems
        self.warnings = list(warnings or [])
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


@dataclass
class Source:
    """Parsed YAML plus the line of every mapping key and sequence item (1-based), and every
    scalar exactly as it was typed (`raw`)."""

    file: str
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    raw: dict[Key, str] = field(default_factory=dict)

    def line(self, path: Key) -> int:
        # Fall back to the nearest enclosing node that has a line: better than line 1.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Key, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)

    def warning(self, path: Key, message: str) -> Problem:
        return Problem(self.file, self.line(path), message, warning=True)


def did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    """"; did you mean 'date_of_birth'?" when one choice is close to `word`, else ""."""
    if not isinstance(word, str):
        return ""
    names = [c for c in choices if isinstance(c, str)]
    near = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
    return f"; did you mean {near[0]!r}?" if near else ""


# --- YAML 1.2 core schema -------------------------------------------------------------------

class _Resolver(yaml.resolver.Resolver):
    pass


_Resolver.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+.0123456789")),
):
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))

_CParser = getattr(yaml, "CParser", None)
if _CParser is not None:
    class _Composer(_CParser, _Resolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream):
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                    _Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


def _scalar_value(node: yaml.ScalarNode) -> tuple[Any, str | None]:
    """The value of a scalar under the core schema, or (None, message) for a tag we do not read."""
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        return text, None
    if tag == "tag:yaml.org,2002:null":
        return None, None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true", None
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(text, 0) if text[:2] in ("0o", "0x") else int(text), None
        except ValueError:
            return None, f"not a whole number: {text!r}"
    if tag == "tag:yaml.org,2002:float":
        lowered = text.lower()
        return float("nan" if lowered == ".nan" else lowered.replace(".inf", "inf")), None
    return None, f"the tag {tag!r} is not supported: write the value plainly (or in quotes)"


class _Walker:
    """Turns composed nodes into plain data, recording lines and raw text, within a budget."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[Key, int] = {}
        self.raw: dict[Key, str] = {}
        self.problems: list[Problem] = []
        self.values = 0
        self.over_budget = False

    def walk(self, node: yaml.Node, path: Key, line: int, open_nodes: tuple[int, ...] = ()) -> Any:
        self.lines.setdefault(path, line)
        self.values += 1
        if self.values > MAX_VALUES:
            if not self.over_budget:
                self.over_budget = True
                self.problems.append(Problem(self.file, line, f"this file expands to more than {MAX_VALUES} values "
                                                              "(an alias repeated inside aliases?); write it out plainly"))
            return None
        if id(node) in open_nodes:
            self.problems.append(Problem(self.file, line, "an alias refers to the list or mapping that contains it; "
                                                          "remove the *alias, or write the value out"))
            return None
        if len(open_nodes) >= MAX_DEPTH:
            self.problems.append(Problem(self.file, line, f"nested more than {MAX_DEPTH} levels deep"))
            return None
        inner = open_nodes + (id(node),)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, inner)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                item_line = item.start_mark.line + 1
                self.lines[path + (index,)] = item_line
                items.append(self.walk(item, path + (index,), item_line, inner))
                if self.over_budget:
                    break
            return items
        value, message = _scalar_value(node)
        if message:
            self.problems.append(Problem(self.file, line, message))
        self.raw[path] = node.value
        return value

    def _mapping(self, node: yaml.MappingNode, path: Key, inner: tuple[int, ...]) -> dict:
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.file, key_line, "a list or mapping used as a key: write a plain name"))
                continue
            key, _ = _scalar_value(key_node)
            if key_node.tag == "tag:yaml.org,2002:merge" or key == "<<":
                self.problems.append(Problem(self.file, key_line, "merge keys (<<: *name) are not supported: "
                                                                  "write the fields out"))
                continue
            if isinstance(key, (int, float, bool)) or key is None:
                # `1:` and `"1":` are the same key to a supervisor (menu option keys, holidays...).
                key = key_node.value
            if key in out:
                self.problems.append(Problem(self.file, key_line, f"duplicate key {key!r}: it is already defined at "
                                                                  f"line {first_line[key]} (one of them must go)"))
                continue
            first_line[key] = key_line
            self.lines[path + (key,)] = key_line
            out[key] = self.walk(value_node, path + (key,), key_line, inner)
            if self.over_budget:
                break
        return out


def parse_yaml(text: str, file: str) -> Source:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ConfigError([Problem(file, 1, f"the file is larger than {MAX_BYTES // 1000} kB; a flow file is far smaller")])
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.YAMLError as exc:
        raise ConfigError([_syntax_problem(exc, text, file)]) from None
    except RecursionError:
        raise ConfigError([Problem(file, 1, f"nested more than {MAX_DEPTH} levels deep")]) from None
    finally:
        composer.dispose()
    if node is None:
        return Source(file, None, {(): 1})
    walker = _Walker(file)
    data = walker.walk(node, (), node.start_mark.line + 1)
    if walker.problems:
        raise ConfigError(walker.problems)
    return Source(file, data, walker.lines, walker.raw)


def load_yaml(path: Path, display_name: str | None = None) -> Source:
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(name, 1, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(name, 1, f"not UTF-8 text ({exc.reason})")]) from None
    return parse_yaml(text, name)


# --- parser errors in plain words -----------------------------------------------------------

def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _previous_content(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above `index` that holds something (not blank, not a comment)."""
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    context_mark = getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    above_index = _previous_content(lines, line - 1)
    above = lines[above_index] if above_index is not None else ""
    opened = context_mark.line + 1 if context_mark is not None else None

    def say(message: str, at_line: int = line, at_column: int | None = column) -> Problem:
        where = f" (column {at_column})" if at_column else ""
        return Problem(file, at_line, f"not valid YAML{where}: {message}")

    if "'\\t'" in problem or "\t" in problem:
        return say("a tab character; YAML indents with spaces only: replace the tab with spaces")
    if problem.startswith("found undefined alias"):
        name = problem.split("'")[1] if "'" in problem else "?"
        return say(f"*{name} refers to an anchor &{name} that is not defined above this line")
    if "while scanning a quoted scalar" in context:
        return say(f"a quote opened at line {opened} is never closed: add the closing quote", opened or line, None)
    if context.startswith("while parsing a flow sequence"):
        return say(f"the list in [brackets] opened at line {opened} is not closed with ] or is missing a comma",
                   opened or line, None)
    if context.startswith("while parsing a flow mapping"):
        return say(f"the mapping in {{braces}} opened at line {opened} is not closed with }} or is missing a comma",
                   opened or line, None)
    if problem == "mapping values are not allowed here":
        if above_index is not None and _indent(here) > _indent(above) and ":" in above \
                and above.split(":", 1)[1].strip():
            return say(f"this line is indented by {_spaces(_indent(here))}, more than the line above "
                       f"({_indent(above)}), so YAML reads it as part of that line's value: line it up with the "
                       "key above it, or put the value above in quotes")
        return say("a colon followed by a space inside an unquoted value; put the value in quotes, "
                   'e.g. say: "Note: we are closed"')
    if "'<scalar>'" in problem or "could not find expected ':'" in problem:
        # A double quote left open swallows the lines below it until the next quote.
        for index in range(line - 2, max(-1, line - 40), -1):
            text_line = lines[index].split(" #")[0]
            if text_line.replace('\\"', "").count('"') % 2:
                return say("a quote opened on this line is not closed on it: add the closing quote",
                           index + 1, text_line.index('"') + 1)
    if "expected <block end>" in problem or "did not find expected key" in problem \
            or "did not find expected '-' indicator" in problem:
        if here.strip().startswith("- ") and context.startswith("while parsing a block mapping"):
            return say("a list item (- ...) where a field was expected: indent the list under its field, "
                       "or remove the dash")
        if here.lstrip().startswith(("'", '"')) is False and "'<scalar>'" in problem and mark is not None \
                and mark.column > _indent(here):
            return say("unexpected text after a quoted value: put the whole value inside the quotes")
        if context.startswith("while parsing a block collection") and re.match(r"\s*[^\s-][^:]*:(\s|$)", here):
            return say("a field after list items at the same indentation: make it a list item (- ...), "
                       "or indent the list under a field of its own", line, None)
        hint = f"indented by {_spaces(_indent(here))}"
        if above_index is not None and _indent(above) != _indent(here):
            hint += f", while the line above is indented by {_spaces(_indent(above))}"
        return say(f"this line is {hint}; lines at the same level must start in the same column "
                   "(two spaces per level, as in the rest of the file)", line, None)
    if "could not find expected ':'" in problem:
        return say("a line without `field: value`; add the colon, or close a quote opened above")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else "this character"
        return say(f"a value cannot start with {char}: put the value in quotes")
    if "expected a comment or a line break" in problem or "expected <document start>" in problem:
        return say("unexpected text after a value: put the whole value in quotes")
    if "expected alphabetic or numeric character" in problem:
        return say("an anchor (&name) or alias (*name) needs a name made of letters and digits; "
                   "to write & or * as text, put the value in quotes")
    return say(problem + (f" ({context})" if context else ""))
