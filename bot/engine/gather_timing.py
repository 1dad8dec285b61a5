"""No keypad caller who follows a prompt waits for a timeout.

Twilio ends a <Gather> in one of three ways (https://www.twilio.com/docs/voice/twiml/gather):
`numDigits` keys are in ("submits ... once the caller enters that number of digits"), the
`finishOnKey` is pressed (default `#`, not included in Digits), or `timeout` seconds pass after the
last key (default 5; our flows say 6). So a question whose answer has a known length ends at the
last key with numDigits; one whose length varies must say to finish with the key (and then must not
set numDigits, or the key, pressed after the last digit, lands in the next question's Gather).

    question                        ends by                      prompt mentions
    date of birth (8 digits)        numDigits=8                  nothing more
    customer number (+ wrong kinds) finishOnKey=#                "... followed by the hash key"
    ZIP code                        numDigits=5                  "your five-digit ZIP code"

`expected_digits` makes that choice for each question; `timing_warnings` checks every spoken
wording of every keypad question at load, per language, and says which would leave a caller
waiting (or spill the finish key), as `file:line: warning:` lines of `bot flows check`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.engine import ssml
from bot.engine.text import resolve

# How prompts name the keys Twilio takes as finishOnKey, in the languages flows are written in.
KEY_WORDS = {
    "#": ("#", "hash", "pound", "almohadilla", "numeral", "gato"),
    "*": ("*", "star", "asterisk", "asterisco", "estrella"),
}
# Wordings said at a question while its Gather listens (the read-back has a one-key Gather of its own).
SPOKEN_FIELDS = ("prompt", "no_input", "no_match", "invalid", "chunk")


def mentions_key(text: str, key: str) -> bool:
    """True when the wording tells the caller to press `key` (e.g. "followed by the hash key")."""
    if not key:
        return False
    plain = ssml.plain(text).lower() if ssml.has_markup(text) else text.lower()
    for word in KEY_WORDS.get(key, (key,)):
        if not word.isalnum() and word in plain:
            return True
        if word.isalnum() and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", plain):
            return True
    return False


def expected_digits(explicit: int | None, known_length: int | None, prompt: str, finish_on_key: str, *,
                    finish_when_prompted: bool = False) -> int | None:
    """numDigits for a question: as configured; else, for a question whose entries may run longer
    than its answer (a customer number, or a card number typed by mistake), none when its prompt
    says to finish with the key (the caller ends the entry); else the answer's known length."""
    if explicit is not None:
        return explicit
    return None if finish_when_prompted and mentions_key(prompt, finish_on_key) else known_length


def timing_warnings(flow, schemes) -> list[tuple[str, tuple, str]]:
    """(file, path, message) for every spoken wording a keypad caller would have to wait out."""
    from bot.engine.steps.asking import AskingStep

    found: list[tuple[str, tuple, str]] = []
    for name, step in flow.steps.items():
        if not isinstance(step, AskingStep) or not step.keypad_timing_applies():
            continue
        gather = step.get("gather") or {}
        if "dtmf" not in str(gather.get("input", "dtmf speech")).split():
            continue
        finish = str(gather.get("finish_on_key", "#"))
        timeout = int(gather.get("timeout", flow.settings.get("timeout", 6)))
        for index, language in enumerate(flow.languages):
            file = "default.yaml" if index == 0 else f"lang/{language}.yaml"
            prompt = _voice(step.data.get("prompt"), language, flow)
            digits = expected_digits(gather.get("num_digits"), step.known_length(flow, schemes), prompt, finish,
                                     finish_when_prompted=step.finish_when_prompted)
            for path, wording in _wordings(step):
                text = _voice(wording, language, flow)
                if not text:
                    continue
                own = wording.get(language, wording) if isinstance(wording, Mapping) and language in wording else wording
                # The voice wording's own line when it is written per channel.
                where = ("steps", name) + path + (("voice",) if isinstance(own, Mapping) and "voice" in own else ())
                field = ".".join(str(part) for part in path)
                if digits is None and not mentions_key(text, finish):
                    found.append((file, where, f"{field}: a keypad caller who follows this wording waits {timeout} s for "
                                               f"Twilio's timeout: its length is not fixed and it does not say to "
                                               f"finish with {_key_name(finish)}"))
                elif digits is not None and mentions_key(text, finish):
                    found.append((file, where, f"{field}: says to finish with {_key_name(finish)}, but the question ends by "
                                               f"itself after {digits} key(s): {_key_name(finish)} lands in the "
                                               f"next question; reword it, or set the prompt to mention the key too"))
    return found


def _wordings(step) -> list[tuple[tuple, Any]]:
    found: list[tuple[tuple, Any]] = []
    for field in SPOKEN_FIELDS:
        value = step.data.get(field)
        if value is None:
            continue
        if field in ("no_input", "no_match") and isinstance(value, list):
            found += [((field, i), v) for i, v in enumerate(value)]
        elif field == "invalid" and isinstance(value, dict):
            found += [((field, reason), v) for reason, v in value.items()]
        else:
            found.append(((field,), value))
    test = step.data.get("ab_test")
    if isinstance(test, dict) and test.get("prompt") is not None:
        found.append((("ab_test", "prompt"), test["prompt"]))
    return found


def _voice(value: Any, language: str, flow) -> str:
    return resolve(value, language=language, default_language=flow.default_language, channel="voice")


def _key_name(key: str) -> str:
    return {"#": "the hash key (#)", "*": "the star key (*)"}.get(key, f"key {key}")
