"""Placeholders the customer-number prompts may use besides {length}: {prefixes}, for the
"unknown prefix" re-prompt, so the wording follows numbering.yaml when prefixes change."""
from __future__ import annotations

from bot.numbering import SchemeSet


# "or" in the languages flows are written in, so a Spanish prompt says "10, 20 o 30".
OR = {"en": "or", "es": "o", "fr": "ou", "de": "oder", "cy": "neu", "it": "o", "pt": "ou"}


def prefix_list(schemes: SchemeSet, language: str = "en") -> str:
    """The prefix codes in use, as said in a sentence: '10, 20 or 30' ('' for unprefixed schemes)."""
    codes = sorted({code for scheme in schemes for code in scheme.prefixes})
    return one_of(codes, language)


def one_of(items: list[str], language: str = "en") -> str:
    word = OR.get(language.split("-")[0], "or")
    return ", ".join(items[:-1]) + f" {word} " + items[-1] if len(items) > 1 else "".join(items)
