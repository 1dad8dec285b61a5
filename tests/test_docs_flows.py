"""docs/flows.md describes every step type and every field the loader accepts."""
from __future__ import annotations

from pathlib import Path

from bot.engine.flow import CONTROLS, SETTINGS, TOP_LEVEL
from bot.engine.steps import STEP_TYPES

DOC = (Path(__file__).resolve().parents[1] / "docs" / "flows.md").read_text()


def test_every_step_type_and_field_is_documented():
    missing = [f"{name}.{field}" for name, cls in STEP_TYPES.items()
               for field in ("`" + name + "`", *(f"`{f}`" for f in cls.specs)) if field not in DOC]
    assert missing == []


def test_top_level_settings_and_controls_are_documented():
    for word in (*TOP_LEVEL, *SETTINGS, *CONTROLS):
        assert word in DOC, word
