"""One conversation driven by typed lines, the way `bot simulate` and the flow tests drive it.

Same engine, same store: every line goes through `bot.turns.Conversations.handle`, and each reply
is rendered by the renderer the channel's real adapter uses (handed in as `renderers`), so what is
stored (and shown by `:twiml`) is exactly what Twilio or the chat widget would get. No HTTP.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import Protocol

from bot.engine.bundle import FlowBundle
from bot.engine.io import Channel, Input
from bot.engine.runner import start_state
from bot.records import State
from bot.store.conversations import create_conversation, find_conversation
from bot.store.db import transaction
from bot.turns import Conversations, Renderer, TurnResult
from bot.understanding import is_withheld_caller_id

CHANNELS: tuple[Channel, ...] = ("voice", "sms", "whatsapp", "web")
# Keys as a phone sends them: Twilio reports digits, and '#' when it ended the entry.
_KEYPAD = re.compile(r"^[0-9*#]+$")


def typed_input(text: str, *, channel: str, session_key: str, caller: str | None = None,
                confidence: float | None = None) -> Input:
    """On voice, `1234#` or `*` is the keypad and other words are speech; on chat everything is text."""
    text = text.strip()
    if channel != "voice":
        return Input(channel=channel, session_key=session_key, kind="text", value=text, caller=caller)
    if _KEYPAD.match(text):
        # As the voice adapter sees it: a lone '#' arrives as empty Digits, which is silence.
        kind = "digits" if text.strip("#") else "silence"
        return Input(channel="voice", session_key=session_key, kind=kind, value=text if kind == "digits" else "",
                     caller=caller)
    return Input(channel="voice", session_key=session_key, kind="speech" if text else "silence", value=text,
                 confidence=confidence, caller=caller)


class Renderers(Protocol):
    """Each channel's renderer, as its adapter renders (webhooks.renderers.renderer_for). Handed in by the
    caller: the adapters belong to the web layer above this one, which bot/ never imports."""

    def __call__(self, channel: str, *, workflow_sid: str | None = None) -> Renderer: ...


class Dialogue:
    """A conversation with the flow on one channel; `state()` reads what the store holds."""

    def __init__(self, conversations: Conversations, *, channel: str, renderers: Renderers, caller: str | None = None,
                 language: str | None = None, session_key: str | None = None, workflow_sid: str | None = None,
                 variants: dict[str, str] | None = None):
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
        self.conversations = conversations
        self.channel = channel
        # The voice adapter drops a withheld caller ID; chat always knows its sender.
        self.caller = None if channel == "voice" and (not caller or is_withheld_caller_id(caller)) else caller
        self.language = language
        # A/B test name -> "A" or "B": the wording this conversation hears, chosen up front.
        self.variants = dict(variants or {})
        self.session_key = session_key or f"SIM-{uuid.uuid4().hex}"
        self.render: Renderer = renderers(channel, workflow_sid=workflow_sid)
        self.turn: int | None = None
        self.last: TurnResult | None = None

    @property
    def bundle(self) -> FlowBundle:
        return self.conversations.bundle()

    @property
    def ended(self) -> bool:
        reply = self.last.reply if self.last else None
        return reply is not None and (reply.handoff is not None or reply.end)

    @property
    def opened_by_message(self) -> bool:
        """SMS and WhatsApp conversations begin with the customer's first message; a call or the
        web widget begins by itself."""
        return self.channel in ("sms", "whatsapp")

    def start(self, text: str = "") -> TurnResult:
        """The call is answered, the widget opens, or a first message arrives: the flow's greeting.
        The first message's words are not an answer, as with the messaging adapter."""
        inp = Input(channel=self.channel, session_key=self.session_key, kind="start", value=text.strip(),
                    caller=self.caller)
        if self.language is not None or self.variants:
            self._begin_in(self.language, inp)
        return self._run(inp)

    def send(self, text: str, *, confidence: float | None = None) -> TurnResult:
        return self._run(typed_input(text, channel=self.channel, session_key=self.session_key, caller=self.caller,
                                     confidence=confidence))

    def handoff_ended(self, result: str) -> TurnResult:
        """Twilio reports how the handoff ended (answered, busy, no-answer, failed, left, abandoned ...)."""
        return self._run(Input(channel=self.channel, session_key=self.session_key, kind="handoff", value=result,
                               caller=self.caller))

    def silence(self) -> TurnResult:
        return self._run(Input(channel=self.channel, session_key=self.session_key, kind="silence", caller=self.caller))

    def hang_up(self) -> bool:
        return self.conversations.hang_up(self.session_key, status="completed")

    def state(self) -> State | None:
        with transaction(self.conversations.database_url) as session:
            row = find_conversation(session, key=self.session_key)
            return State.from_dict(row.state) if row is not None else None

    def _run(self, inp: Input) -> TurnResult:
        # Voice carries the turn number in the Gather URL; chat channels have none.
        turn = self.turn if self.channel == "voice" else None
        result = self.conversations.handle(inp, turn=turn, render=self.render)
        if not result.replayed:
            self.turn = (self.turn or 0) + 1
            self.last = result
        return result

    def _begin_in(self, language: str | None, inp: Input) -> None:
        # Conversations.handle starts a new conversation in the flow's default language. A row whose
        # state already names a language is picked up instead, and the engine's start keeps it.
        bundle = self.bundle
        language = language or bundle.flow.default_language
        if language not in bundle.flow.languages:
            raise ValueError(f"the flow speaks {', '.join(bundle.flow.languages)}, not {language!r}")
        state = replace(start_state(bundle, inp), language=language, variants=dict(self.variants))
        with transaction(self.conversations.database_url) as session:
            row = create_conversation(session, channel=self.channel, key=self.session_key, caller=self.caller,
                                      flow_version=bundle.version)
            row.state = state.to_dict()


__all__ = ["CHANNELS", "Dialogue", "Renderers", "typed_input"]
