"""The renderer each channel's adapter uses, for code that runs a conversation without HTTP
(`bot simulate`, conversation tests, the console's Try it): handed to bot.dialogue.Dialogue, so what
is stored and shown is exactly what Twilio or the chat widget would get, while bot/ never imports
the web layer."""
from __future__ import annotations

from bot.engine.io import Reply
from bot.turns import Renderer
from webhooks.chat import render_json
from webhooks.messaging import render_messages
from webhooks.twiml import render_voice
from webhooks.voice import BASE


def renderer_for(channel: str, *, workflow_sid: str | None = None) -> Renderer:
    if channel == "voice":
        def render(reply: Reply, turn: int) -> str:
            # The whisper URL only matters to Twilio; the TwiML is otherwise what the voice adapter sends.
            return render_voice(reply, turn=turn, base_path=BASE, workflow_sid=workflow_sid)
        return render
    if channel == "web":
        return render_json
    return render_messages
