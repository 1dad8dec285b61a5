"""Twilio's Fallback URL: what a call hears when the main webhook failed or timed out.

Static TwiML that needs neither the database nor the flows (they may be what failed): an apology,
then the general queue, so no caller meets a dead line. Signed like every /twilio/* route.
"""
from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Response
from twilio.twiml.voice_response import VoiceResponse

from bot.logging_setup import masked_sid
from webhooks.security import SettingsDep, TwilioForm

log = logging.getLogger(__name__)
router = APIRouter(prefix="/twilio/voice")

APOLOGY = "Sorry, we're having trouble on our side. I'll put you through to a colleague."
QUEUE = "general"


def fallback_twiml(*, call_sid: str, workflow_sid: str | None) -> str:
    response = VoiceResponse()
    response.say(APOLOGY)
    if workflow_sid:
        enqueue = response.enqueue(workflow_sid=workflow_sid)
        # The agent learns the caller was not verified and why they came through this way.
        enqueue.task(json.dumps({"department": QUEUE, "verified": False, "reason": "fallback", "channel": "voice",
                                 "call_sid": call_sid or None}))
    else:
        response.enqueue(QUEUE)
    return str(response)


@router.post("/fallback")
async def voice_fallback(form: TwilioForm, settings: SettingsDep) -> Response:
    call_sid = str(form.get("CallSid", "")).strip()[:64]
    # ErrorCode says why Twilio gave up on the main URL (e.g. 11200 HTTP retrieval failure, 11205 timeout).
    log.warning("fallback URL used for call %s (Twilio error %s)", masked_sid(call_sid),
                str(form.get("ErrorCode", ""))[:10] or "unknown")
    return Response(fallback_twiml(call_sid=call_sid, workflow_sid=settings.twilio_workflow_sid), media_type="text/xml")
