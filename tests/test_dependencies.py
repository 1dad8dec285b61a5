"""Every third-party package the code imports is declared in pyproject.toml, so a clean install has it
(one imported only because another package happens to pull it in would break the day that changes)."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_modules(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_third_party_import_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    test_declared = declared | {_name(r) for r in project["optional-dependencies"]["test"]}
    distributions = packages_distributions()
    ours = {"bot", "webhooks", "tests", "benchmarks"}

    def undeclared(folder: str, allowed: set[str]) -> set[str]:
        missing = set()
        for module in imported_modules(ROOT / folder) - ours - set(sys.stdlib_module_names):
            names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
            if not names & allowed:
                missing.add(f"{module} ({', '.join(sorted(names))})")
        return missing

    assert undeclared("bot", declared) | undeclared("webhooks", declared) == set()
    assert undeclared("tests", test_declared) == set()
