"""Placeholders the customer-number prompts may use besides {length}: {prefixes}, for the
"unknown prefix" re-prompt, so the wording follows numbering.yaml when prefixes change."""
from __future__ import annotations

from bot.numbering import SchemeSet


def prefix_list(schemes: SchemeSet) -> str:
    """The prefix codes in use, as said in a sentence: '10, 20 or 30' ('' for unprefixed schemes)."""
    codes = sorted({code for scheme in schemes for code in scheme.prefixes})
    return ", ".join(codes[:-1]) + " or " + codes[-1] if len(codes) > 1 else "".join(codes)
