"""The README's scheme tables are what `bot numbers analyze` prints, not numbers typed in by hand."""
from __future__ import annotations

import re
from pathlib import Path

from bot.cli.numbers_report import scheme_table
from bot.numbering import ALGORITHMS, load_schemes

ROOT = Path(__file__).resolve().parents[1]


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Customer numbers: choosing a scheme")
    return text[start:text.index("\n## ", start + 1)]


def algorithm_rows(text: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| .*\(`([a-z0-9_]+)`\) \|.*$", text, flags=re.MULTILINE)}


def test_the_algorithm_table_covers_every_algorithm_with_the_measured_figures():
    readme = algorithm_rows(section())
    assert sorted(readme) == sorted(ALGORITHMS)
    # docs/numbering.md holds the same measurement (benchmarks/numbering_analyze.py, 2,000 payloads, seed 0).
    measured = algorithm_rows((ROOT / "docs" / "numbering.md").read_text(encoding="utf-8"))
    assert readme == measured


def test_the_default_scheme_table_is_the_analyze_output():
    table = scheme_table(load_schemes().default, sample=2000, seed=0)
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert "\n".join(rows) in section()
