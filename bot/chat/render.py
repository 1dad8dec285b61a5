"""A Reply as chat shows it: one text, tidied for reading, and the quick replies the step offers."""
from __future__ import annotations

import re
from typing import Any

from bot.engine.io import Reply

_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([.,!?:;])")


PRIVATE_MASK = "****"


def chat_text(reply: Reply, *, for_record: bool = False) -> str:
    """Voice splices read-back digits in as their own segments; in text they should read as one sentence.

    Spaces are tidied; line breaks (a menu's options, one to a line) are kept. `for_record`: the text
    as a transcript keeps it, with private segments (verification data) masked."""
    text = " ".join(PRIVATE_MASK if for_record and s.private else s.text for s in reply.say if s.kind != "pause")
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", "\n".join(line for line in lines if line))


def chat_messages(reply: Reply) -> list[dict[str, Any]]:
    text = chat_text(reply)
    if not text:
        return []
    message: dict[str, Any] = {"text": text}
    if reply.expect is not None and reply.expect.options:
        message["options"] = [{"key": o.key, "label": o.label} for o in reply.expect.options]
    return [message]
