"""Chat channels never hear voice wording: no "press", no keypad, no hash key, nothing to "hear"."""
from __future__ import annotations

import re

import pytest

from bot.engine.text import resolve

VOICE_ONLY = re.compile(r"\b(press|keypad|hash|key (it )?in|hear|heard|say it|say yes|put you through)\b", re.IGNORECASE)
TEXTS = ("prompt", "say", "confirm", "fail_prompt", "retry_prompt", "locked_prompt")
LADDERS = ("no_input", "no_match")


def wordings(bundle):
    """(where, text as written) for every prompt of every step, and the controls' own wording."""
    controls = getattr(bundle.flow, "controls", None) or {}
    for key in ("help", "restart_prompt", "repeat_prompt"):
        if key in controls:
            yield f"controls.{key}", controls[key]
    for name, step in bundle.flow.steps.items():
        data = step.data
        for key in (*TEXTS, "help"):
            if key in data:
                yield f"{name}.{key}", data[key]
        for key in LADDERS:
            for index, text in enumerate(data.get(key) or []):
                yield f"{name}.{key}[{index}]", text
        for reason, text in (data.get("invalid") or {}).items():
            yield f"{name}.invalid.{reason}", text
        for index, option in enumerate(data.get("options") or []):
            yield f"{name}.options[{index}]", option["say"]


@pytest.mark.parametrize("channel", ["sms", "whatsapp", "web"])
def test_no_chat_prompt_uses_voice_wording(bundle, channel):
    found = list(wordings(bundle))
    assert len(found) > 40  # the walk really reaches the ladders and options
    wrong = [(where, text) for where, written in found
             if VOICE_ONLY.search(text := resolve(written, language="en", default_language="en", channel=channel))]
    assert wrong == []


def test_voice_keeps_its_keypad_wording(bundle):
    voice = {where: resolve(written, language="en", default_language="en", channel="voice")
             for where, written in wordings(bundle)}
    assert "press hash" in voice["customer_number.no_input[0]"]
    assert "press 1 or say yes" in voice["date_of_birth.confirm"].lower()
    assert voice["main_menu.options[0]"] == "For billing and payments, press 1 or say billing."
