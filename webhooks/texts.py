"""Text messages a turn asks for (an after-hours link, a lock notice to the phone on file), sent through
the twilio client after the reply is on its way: Twilio's 15-second budget is for the reply."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from fastapi import Request
from starlette.background import BackgroundTasks

from bot.engine.io import OutgoingText

log = logging.getLogger(__name__)


def send_after_reply(request: Request, messages: Iterable[OutgoingText], background: BackgroundTasks) -> None:
    texts = getattr(request.app.state, "texts", None)
    for message in messages:
        if texts is None:
            log.warning("a text message was due but TWILIO_SMS_FROM is not configured")
            continue
        background.add_task(texts.send, message)
