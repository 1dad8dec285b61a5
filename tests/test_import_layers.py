"""Which way imports may point (issue 11): the shared records sit at the bottom, the storage,
verification and routing layers never import the engine, the engine never imports what drives it,
bot/ never imports the web layer (only the command line, which assembles the server, may), and no
two of bot's packages import each other round in a circle.

Every module is parsed, not imported, so lazy imports inside functions count too; a failure names
the file and line of each offending import.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Layers below the engine: they share bot.records and bot.yaml_source with it, and may not import it.
BELOW_ENGINE = ("bot.records", "bot.yaml_source", "bot.numbering", "bot.understanding", "bot.verification",
                "bot.routing", "bot.hours", "bot.store", "bot.customers", "bot.keys", "bot.settings",
                "bot.metrics", "bot.logging_setup", "bot.twilio_rest", "bot.issuance", "bot.after_hours_store")
# What drives the engine (a turn, a conversation, a server) and the database: the engine knows none of it.
ABOVE_ENGINE = ("bot.turns", "bot.dialogue", "bot.chat", "bot.console", "bot.cli", "bot.flowtests",
                "bot.flow_publishing", "bot.flow_registry", "bot.simulator", "bot.store", "bot.voice_handoffs",
                "bot.reporting", "webhooks")
# The records and the YAML reader import nothing of the project's: everything may import them.
BOTTOM = ("bot.records", "bot.yaml_source")
# The command line is where the server is assembled: it alone of bot/ may hand over webhooks' pieces.
COMPOSITION_ROOT = "bot.cli"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. bot.store.conversations
    file: str  # its path from the repository root
    line: int
    target: str  # the module imported, e.g. bot.engine.context

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.module} imports {self.target}"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path = ROOT, packages: tuple[str, ...] = ("bot", "webhooks")) -> Iterator[Import]:
    """Every import of the project's own modules, from every module of `packages`, at any depth."""
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = _absolute(node, module, is_package=path.name == "__init__.py")
                    # `from bot import keys` imports bot.keys; `from bot.engine.io import Reply` imports bot.engine.io.
                    targets = [f"{base}.{alias.name}" if _is_module(root, f"{base}.{alias.name}") else base
                               for alias in node.names]
                else:
                    continue
                for target in dict.fromkeys(targets):
                    if target.split(".")[0] in ("bot", "webhooks"):
                        yield Import(module, path.relative_to(root).as_posix(), node.lineno, target)


def _absolute(node: ast.ImportFrom, module: str, *, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_module(root: Path, name: str) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def unit(name: str) -> str:
    """The piece a cycle is counted between: a package of bot/ (bot.store), a module of bot/ (bot.turns),
    or the web layer as a whole."""
    parts = name.split(".")
    return "webhooks" if parts[0] == "webhooks" else ".".join(parts[:2])


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one unit (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


# -- the rules, as functions of the imports, so the tests below can show each one can fail ----------

def webhooks_imported_by_bot(found: list[Import]) -> list[Import]:
    return [i for i in found if within(i.module, "bot") and not within(i.module, COMPOSITION_ROOT)
            and within(i.target, "webhooks")]


def engine_imported_below(found: list[Import]) -> list[Import]:
    return [i for i in found if within(i.module, BELOW_ENGINE) and within(i.target, "bot.engine")]


def above_imported_by_engine(found: list[Import]) -> list[Import]:
    return [i for i in found if within(i.module, "bot.engine") and within(i.target, ABOVE_ENGINE)]


def bottom_importing_the_project(found: list[Import]) -> list[Import]:
    return [i for i in found if within(i.module, BOTTOM) and not within(i.target, BOTTOM)]


def package_cycles(found: list[Import]) -> list[tuple[list[str], list[Import]]]:
    edges: dict[str, set[str]] = {}
    for i in found:
        if unit(i.module) != unit(i.target) and unit(i.target) != "bot":
            edges.setdefault(unit(i.module), set()).add(unit(i.target))
    result = []
    for group in cycles(edges):
        members = set(group)
        result.append((group, [i for i in found if unit(i.module) in members and unit(i.target) in members
                               and unit(i.module) != unit(i.target)]))
    return result


def _report(offences: list[Import]) -> str:
    return "\n".join(str(i) for i in offences)


def test_bot_never_imports_the_web_layer():
    assert not (offences := webhooks_imported_by_bot(list(imports()))), _report(offences)


def test_storage_verification_and_routing_never_import_the_engine():
    assert not (offences := engine_imported_below(list(imports()))), _report(offences)


def test_the_engine_never_imports_what_drives_it():
    assert not (offences := above_imported_by_engine(list(imports()))), _report(offences)


def test_the_shared_records_import_nothing_of_the_project():
    assert not (offences := bottom_importing_the_project(list(imports()))), _report(offences)


def test_no_two_packages_import_each_other_round_in_a_circle():
    found = package_cycles(list(imports()))
    assert not found, "\n\n".join(" <-> ".join(group) + ":\n" + _report(edges) for group, edges in found)


# -- each rule catches what it is there for ---------------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> list[Import]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(imports(tmp_path))


def test_each_rule_names_the_file_and_line_of_an_offending_import(tmp_path):
    found = _tree(tmp_path, {
        "bot/__init__.py": "",
        "bot/records.py": "",
        "bot/engine/__init__.py": "",
        "bot/engine/context.py": "from bot.records import State\nfrom bot.turns import Conversations\n",
        "bot/store/__init__.py": "",
        "bot/store/conversations.py": "\nfrom bot.engine.context import Turn\n",
        "bot/turns.py": "from bot.engine import context\n",
        "bot/dialogue.py": "def render():\n    from webhooks.twiml import render_voice\n",
        "bot/cli/serve.py": "from webhooks.app import create_app\n",
        "webhooks/__init__.py": "",
        "webhooks/twiml.py": "from bot.records import Handoff\n",
        "webhooks/app.py": "",
    })
    assert [str(i) for i in webhooks_imported_by_bot(found)] == [
        "bot/dialogue.py:2: bot.dialogue imports webhooks.twiml"]  # not bot/cli: it assembles the server
    assert [str(i) for i in engine_imported_below(found)] == [
        "bot/store/conversations.py:2: bot.store.conversations imports bot.engine.context"]
    assert [str(i) for i in above_imported_by_engine(found)] == [
        "bot/engine/context.py:2: bot.engine.context imports bot.turns"]
    groups = package_cycles(found)
    assert [group for group, _ in groups] == [["bot.engine", "bot.turns"]]  # the store only points one way
    assert _report(groups[0][1]).splitlines() == ["bot/engine/context.py:2: bot.engine.context imports bot.turns",
                                                  "bot/turns.py:1: bot.turns imports bot.engine.context"]


def test_relative_imports_are_resolved(tmp_path):
    found = _tree(tmp_path, {
        "bot/__init__.py": "",
        "bot/records.py": "from . import settings\n",
        "bot/settings.py": "",
        "bot/store/__init__.py": "from ..engine import io\n",
        "bot/engine/__init__.py": "",
        "bot/engine/io.py": "",
    })
    assert [str(i) for i in bottom_importing_the_project(found)] == ["bot/records.py:1: bot.records imports bot.settings"]
    assert [str(i) for i in engine_imported_below(found)] == ["bot/store/__init__.py:1: bot.store imports bot.engine.io"]
