from __future__ import annotations

import doctest
import re
from pathlib import Path

import bot.numbering
from bot.numbering import ALGORITHMS

DOC = Path(__file__).parents[2] / "docs" / "numbering.md"


def test_package_examples_run():
    failed, attempted = doctest.testmod(bot.numbering, optionflags=doctest.ELLIPSIS)
    assert attempted >= 8
    assert failed == 0


def test_docs_table_lists_every_built_in_algorithm():
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| .*\(`([a-z0-9_]+)`\) \|", text, flags=re.MULTILINE)
    assert sorted(rows) == sorted(ALGORITHMS)
