"""The shipped flow files as text, for tests that build variants of them."""
from __future__ import annotations

import re

from bot.engine.bundle import read_texts
from tests.conftest import FLOWS


def shipped() -> dict[str, str]:
    return read_texts(FLOWS)


def english_only(texts: dict[str, str]) -> dict[str, str]:
    """The shipped flow speaking English alone: for tests that add English-only steps and are not
    about languages (a bilingual flow rightly refuses a prompt with no Spanish wording)."""
    texts = {name: text for name, text in texts.items() if not name.startswith("lang/")}
    flow = texts["default.yaml"].replace("languages: [en, es]", "languages: [en]", 1)
    flow = flow.replace("    next: choose_language\n", "    next: customer_number\n", 1)
    flow = re.sub(r"\n  # Offered on top of the first question.*?\n  choose_language:\n.*?(?=\n  customer_number:)", "\n",
                  flow, flags=re.S)
    texts["default.yaml"] = flow
    return texts
