"""The chat transcript handed to an agent, with every answer to a verification question withheld.

What the customer typed while a verification question (an `ask` step) waited, and what the bot
said while reading such an answer back for a yes/no, are stored as WITHHELD: the agent sees that
a question was answered, never the answer. The customer number may appear.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.bundle import FlowBundle
from bot.numbering.cards import contains_card_number
from bot.store.models import ChatMessage

WITHHELD = "[verification answer withheld]"
# A payment card number (or what the flow's lookalikes mark `withhold`) is never kept, at any step.
NUMBER_WITHHELD = "[card or account number withheld]"
# Wider than any chat input we accept; a guard for the column, not a limit customers meet.
MAX_TEXT = 4000


def asks_for_answer(bundle: FlowBundle, state: dict[str, Any] | None) -> bool:
    """True while the conversation waits at a verification question (or its read-back)."""
    step = bundle.flow.steps.get((state or {}).get("step") or "")
    # Steps that say so (ask: knowledge answers; one_time_code: the code) have their answers withheld.
    return step is not None and getattr(step, "withholds_answers", False) and not (state or {}).get("ended")


def reads_back_answer(bundle: FlowBundle, state: dict[str, Any] | None) -> bool:
    """True when the reply just given reads a verification answer back for a yes/no."""
    pending = (state or {}).get("pending") or {}
    step = bundle.flow.steps.get(pending.get("step") or "")
    return step is not None and getattr(step, "withholds_answers", False)


def add(session: Session, *, conversation_id: str, sender: str, text: str, withheld: bool, at: dt.datetime,
        kept_out: str | None = None) -> None:
    """`kept_out`: the engine found a number that must not be kept in what was sent (e.g. "card")."""
    if not text and not withheld:
        return
    if kept_out or contains_card_number(text):
        stored = NUMBER_WITHHELD
    else:
        stored = WITHHELD if withheld else text[:MAX_TEXT]
    session.add(ChatMessage(conversation_id=conversation_id, sender=sender, text=stored, at=at))


def load(session: Session, *, conversation_id: str) -> list[dict[str, str]]:
    rows = session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id)
                           .order_by(ChatMessage.id))
    return [{"from": row.sender, "text": row.text, "at": row.at.isoformat()} for row in rows]
