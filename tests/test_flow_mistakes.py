"""The supervisor-mistakes suite (tests/flow_mistakes/): each broken folder gives exactly its
expected `file:line: message` lines from `bot flows check`, no traceback, one message per mistake."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import FLOWS

CASES = sorted((Path(__file__).parent / "flow_mistakes").glob("*.yaml"))
runner = CliRunner()


def test_there_are_at_least_thirty_mistakes():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_a_mistake_gives_exactly_its_message(case, tmp_path, cli_env):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    folder = tmp_path / "flows"
    shutil.copytree(FLOWS, folder)
    for edit in spec["edit"]:
        path = folder / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["replace"] in text, f"{case.name}: the shipped {edit['file']} no longer holds the text to edit"
        path.write_text(text.replace(edit["replace"], edit["with"], 1), encoding="utf-8")
    expected = []
    for entry in spec["expect"]:
        lines = (folder / entry["file"]).read_text(encoding="utf-8").splitlines()
        hits = [number for number, line in enumerate(lines, 1) if entry["at"] in line]
        expected.append(f"{entry['file']}:{hits[entry.get('occurrence', 0)]}: {entry['message']}")
    result = runner.invoke(app, ["flows", "check", str(folder)])
    # File names are shown relative to the folder, here and in the expectations.
    printed = [line.replace(f"{folder}/", "") for line in result.output.splitlines() if not line.startswith("flows OK")]
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert printed == expected
    errors = [m for m in spec["expect"] if not m["message"].startswith("warning: ")]
    assert result.exit_code == (1 if errors else 0)
