"""Twilio Messaging (SMS and WhatsApp): signed form -> text for the chat service -> <Message> TwiML.

Point a messaging number's or a WhatsApp sender's "A message comes in" webhook at /twilio/messaging.
"""
from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from bot.chat.render import chat_text
from bot.engine.io import Reply
from webhooks import observe
from webhooks.offload import TurnTimedOut, in_time
from webhooks.security import signed_form
from webhooks.texts import send_after_reply
from webhooks.twiml_text import twiml_text

log = logging.getLogger(__name__)
router = APIRouter(prefix="/twilio/messaging")

# Twilio's own limit on Body; anything longer did not come from Twilio.
MAX_BODY_CHARS = 1600
MAX_ADDRESS_CHARS = 80


def twiml(body: str) -> Response:
    return Response(content=body, media_type="text/xml")


def render_messages(reply: Reply, turn: int) -> str:
    """The reply as one <Message>; nothing to say gives an empty <Response/> (Twilio then sends nothing)."""
    response = MessagingResponse()
    text = chat_text(reply)
    if text:
        response.message(text)
    return twiml_text(response)


def _address(form, name: str) -> str:
    value = str(form.get(name, "")).strip()
    if not value or len(value) > MAX_ADDRESS_CHARS:
        raise HTTPException(400, f"{name} is required (at most {MAX_ADDRESS_CHARS} characters)")
    return value


def apology() -> str:
    response = MessagingResponse()
    response.message("Sorry, something went wrong on our side. Please try again in a few minutes.")
    return str(response)


async def incoming_message(request: Request) -> Response:
    # A plain Starlette route, as the voice turns are (webhooks/voice.py): the signature first.
    form = await signed_form(request)
    customer, ours = _address(form, "From"), _address(form, "To")
    body = str(form.get("Body", ""))
    if len(body) > MAX_BODY_CHARS:
        raise HTTPException(413, f"Body is longer than {MAX_BODY_CHARS} characters")
    channel = "whatsapp" if customer.lower().startswith("whatsapp:") else "sms"
    message_sid = str(form.get("MessageSid") or form.get("SmsMessageSid") or "").strip()[:64] or None
    chat = request.app.state.chat
    observe.turn_started(request)
    try:
        # The turn reads and writes the database (and may ask the self-service endpoint): not on the event loop.
        result = await in_time(request, chat.message, channel=channel, customer=customer, ours=ours,
                               message_sid=message_sid, text=body.strip(), render=render_messages)
    except TurnTimedOut:
        log.warning("%s message did not get an answer in time: answered with the apology", channel)
        observe.turn_failed(request, channel)
        return twiml(apology())
    except Exception:
        # The customer still gets an answer; Twilio would otherwise log an error and send nothing.
        log.exception("%s message failed", channel)
        observe.turn_failed(request, channel)
        return twiml(apology())
    observe.turn_done(request, channel, result)
    response = twiml(result.body)
    if result.delivery_id or result.texts:
        response.background = background = BackgroundTasks()
        if result.delivery_id:
            background.add_task(request.app.state.desk.deliver, result.delivery_id)
        send_after_reply(request, result.texts, background)
    return response


CALL_ROUTES = [("/twilio/messaging", incoming_message)]
