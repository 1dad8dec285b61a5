"""Self-service after verification: ask the business's own systems about the verified customer (their
balance, where an order is) and say the answer, without an agent.

The step posts the verified context to SELF_SERVICE_URL (bot/self_service.py, signed like desk
handoffs) and fills its `answer` from the JSON object that comes back: `{balance}` is the answer's
"balance" field. On a timeout, an error, or a field the answer needs but the JSON lacks, the caller
hears `unavailable` and goes to `on_fail`. A caller who is not verified is never looked up.

    balance:
      type: lookup
      request: balance
      answer: {voice: "Your balance is {balance}, as of {as_of}.", chat: "Your balance is {balance} ({as_of})."}
      unavailable: "Sorry, I can't look that up just now."
      next: main_menu
      on_fail: to_account_team
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.engine.context import Turn
from bot.engine.steps.base import Outcome, Spec, Step

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# What a template may say of one field: a sentence's worth, never a document.
MAX_VALUE_CHARS = 200


class LookupStep(Step):
    type = "lookup"
    specs = {
        "request": Spec("str", required=True),
        "answer": Spec("text", required=True),
        "unavailable": Spec("text", default="Sorry, I can't look that up just now."),
        "next": Spec("step", required=True),
        "on_fail": Spec("step", required=True),
    }

    def fields(self) -> list[str]:
        """Every field the answer names, in any language or channel: all must come back."""
        return sorted({name for text in _texts(self.data.get("answer")) for name in _PLACEHOLDER.findall(text)})

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        request = self.data.get("request")
        if isinstance(request, str) and not re.fullmatch(r"[a-z][a-z0-9_.-]{0,63}", request):
            return [(("request",), f"expected a short name for what is asked (e.g. balance, order_status), got {request!r}")]
        return []

    def enter(self, turn: Turn) -> Outcome:
        state = turn.state
        service = turn.services.self_service
        if service is None or not state.verified or not state.customer_number:
            turn.event("lookup", "not available" if service is None else "not verified")
            return self._fail(turn)
        record = turn.services.directory.find(state.customer_number)
        fields = self.fields()
        looked = service.look_up({
            "type": "self_service.lookup",
            "request": self.get("request"),
            "fields": fields,
            "context": {
                "customer_number": state.customer_number,
                "verified": state.verified,
                "factors": list(state.factors_passed),
                "segment": record.segment if record else None,
                "customer_status": record.status if record else None,
                "channel": state.channel,
                "language": state.language,
                "call_sid": turn.input.session_key if state.channel == "voice" else None,
            },
            "sent_at": turn.services.clock().isoformat(),
        })
        if looked.values is None:
            turn.event("lookup", f"failed: {looked.problem}"[:200])
            return self._fail(turn)
        values = {name: _spoken(looked.values.get(name)) for name in fields}
        missing = [name for name, value in values.items() if value is None]
        if missing:
            turn.event("lookup", f"missing: {', '.join(missing)}"[:200])
            return self._fail(turn)
        turn.event("lookup", "answered")
        return Outcome(say=turn.text(self.get("answer"), **values), goto=self.get("next"))

    def _fail(self, turn: Turn) -> Outcome:
        # The agent who takes the caller next sees why: they asked for something the bot could not look up.
        turn.state.handoff_reason = "self-service-unavailable"
        return Outcome(say=turn.text(self.get("unavailable")), goto=self.get("on_fail"))


def _spoken(value: Any) -> str | None:
    """A field as said or written: text or a number; anything else (or too long) is as good as missing."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    return text if text and len(text) <= MAX_VALUE_CHARS else None


def _texts(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
