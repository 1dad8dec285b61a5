"""A/B splits of a question's wording. A conversation's variant follows from its key and the test's
name (no coin is stored, and a retried webhook gets the same one); it is recorded as an event so
supervisors can compare how callers fare with each wording (`bot report variants`).

    ab_test:
      name: short_number_prompt
      share: 0.5                 # the fraction (0 to 1) of conversations that hear the `prompt` below
      prompt: "Your customer number, then hash."
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from bot.engine.steps.base import Spec, check_field

FIELDS = {"name": Spec("str", required=True),
          "share": Spec("float", required=True, minimum=0.0, maximum=1.0, hint="a fraction"),
          "prompt": Spec("text", required=True)}
VARIANTS = ("A", "B")


def variant(session_key: str, test: Mapping[str, Any], chosen: Mapping[str, str] | None = None) -> str:
    """"B" for a stable `share` of conversations, "A" for the rest; `chosen` (a conversation test or
    the simulator picking one, or the variant already served) wins."""
    if chosen and chosen.get(test["name"]) in VARIANTS:
        return chosen[test["name"]]
    digest = hashlib.sha256(f"{test['name']}\0{session_key}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") / 2**64
    return "B" if bucket < float(test["share"]) else "A"


def problems(test: Any) -> list[tuple[tuple, str]]:
    if not isinstance(test, Mapping):
        return [((), "expected name, share and prompt")]
    found = [((key,), f"unknown field {key!r}; expected name, share, prompt") for key in test if key not in FIELDS]
    for key, spec in FIELDS.items():
        if key not in test:
            found.append(((), f"ab_test is missing {key!r}"))
        else:
            message = check_field(spec, test[key], key)
            if message:
                found.append(((key,), message))
    return found
