"""Verification factors by the name policies and flows use. `FACTORS` is the one registry: the
`ask` step takes its `factor:` from it, and policy.yaml is checked against it."""
from __future__ import annotations

from bot.verification.factors.base import STAND_IN, Answer, Factor, ReadOptions, same
from bot.verification.factors.knowledge import DateOfBirth, EmailFactor, LastFour, PostcodeFactor
from bot.verification.factors.possession import CallerId, OneTimeCode, caller_matches
from bot.verification.factors.secrets import NameFactor, PinFactor

FACTORS: dict[str, Factor] = {f.name: f for f in (
    DateOfBirth(), PostcodeFactor(), NameFactor(), EmailFactor(), LastFour(), PinFactor(), OneTimeCode(), CallerId(),
)}
# Factors an `ask` step can ask for.
ASKED = tuple(name for name, factor in FACTORS.items() if factor.kind == "asked")

__all__ = ["ASKED", "FACTORS", "STAND_IN", "Answer", "Factor", "ReadOptions", "caller_matches", "same"]
