"""Twilio Voice: form -> Input, engine, Reply -> TwiML. Translation only; the engine decides."""
from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.background import BackgroundTasks
from twilio.twiml.voice_response import VoiceResponse

from bot.engine.io import Input, Reply
from bot.understanding import is_withheld_caller_id
from webhooks import observe
from webhooks.security import SettingsDep, TwilioForm
from webhooks.texts import send_after_reply
from webhooks.twiml import render_voice

log = logging.getLogger(__name__)
router = APIRouter(prefix="/twilio/voice")
BASE = "/twilio/voice"
MAX_RECORDING_SECONDS = 24 * 3600


def twiml(body: str) -> Response:
    return Response(content=body, media_type="text/xml")


def _call_sid(form) -> str:
    sid = str(form.get("CallSid", "")).strip()
    if not sid or len(sid) > 64:
        raise HTTPException(400, "CallSid is required")
    return sid


def _caller(form) -> str | None:
    caller = str(form.get("From", "")).strip()
    return None if is_withheld_caller_id(caller) else caller[:64]


def _input(form, *, kind: str | None = None) -> Input:
    digits = str(form.get("Digits", "")).strip()
    if digits and str(form.get("FinishedOnKey", "")) == "#":
        # Twilio drops the finish key from Digits; the engine wants to know the caller pressed it.
        digits += "#"
    speech = str(form.get("SpeechResult", "")).strip()
    confidence = None
    try:
        confidence = float(form["Confidence"]) if form.get("Confidence") not in (None, "") else None
    except ValueError:
        confidence = None
    if kind is None:
        kind, value = ("digits", digits) if digits else (("speech", speech) if speech else ("silence", ""))
    else:
        value = ""
    return Input(channel="voice", session_key=_call_sid(form), kind=kind, value=value[:500],
                 confidence=confidence, caller=_caller(form), called=str(form.get("To", ""))[:64] or None)


def apology() -> str:
    # Something failed on our side: the caller still reaches a person, never a dead line.
    response = VoiceResponse()
    response.say("Sorry, something went wrong on our side. I'll put you through to a colleague.")
    response.enqueue("general")
    return str(response)


def _run(request: Request, settings, inp: Input, turn: int | None) -> Response:
    # Any failure below is answered with TwiML, never a 500 that would end the call.
    conversations = request.app.state.conversations
    observe.turn_started(request, call_sid=inp.session_key)
    try:
        result = conversations.handle(inp, turn=turn, render=_renderer(settings))
    except Exception:
        log.exception("voice turn failed for call %s", inp.session_key[-6:])
        observe.turn_failed(request, "voice")
        return twiml(apology())
    observe.turn_done(request, "voice", result)
    response = twiml(result.body)
    message = result.reply.text_message if result.reply is not None else None
    response.background = BackgroundTasks()
    send_after_reply(request, ([message] if message is not None else []) + list(result.texts), response.background)
    return response


def _renderer(settings):
    def render(reply: Reply, turn: int) -> str:
        whisper = None
        if reply.handoff is not None and reply.handoff.target.kind == "number":
            whisper = f"{BASE}/whisper?call={reply.handoff.context.get('call_sid') or ''}"
        return render_voice(reply, turn=turn, base_path=BASE, workflow_sid=settings.twilio_workflow_sid,
                            whisper_url=whisper)
    return render


@router.post("")
async def incoming_call(request: Request, form: TwilioForm, settings: SettingsDep) -> Response:
    return _run(request, settings, _input(form, kind="start"), None)


@router.post("/turn")
async def next_turn(request: Request, form: TwilioForm, settings: SettingsDep, t: int = 0, e: str | None = None) -> Response:
    inp = _input(form, kind="silence" if e == "silence" else None)
    return _run(request, settings, inp, t)


@router.post("/status")
async def call_status(request: Request, form: TwilioForm) -> Response:
    status = str(form.get("CallStatus", ""))
    if status in ("completed", "busy", "failed", "no-answer", "canceled"):
        request.app.state.conversations.hang_up(_call_sid(form), status=status)
    return Response(status_code=204)


@router.post("/voicemail")
async def voicemail(request: Request, form: TwilioForm) -> Response:
    """Twilio posts here when a voicemail for a closed department has been recorded."""
    url = str(form.get("RecordingUrl", "")).strip()
    duration = _seconds(form.get("RecordingDuration"))
    conversations = request.app.state.conversations
    if url.startswith("https://"):
        conversations.record_voicemail(_call_sid(form), recording_url=url[:500], duration_seconds=duration)
    # The goodbye is the flow's wording, in the caller's language and voice.
    return twiml(render_voice(conversations.goodbye(_call_sid(form)), turn=0, base_path=BASE))


def _seconds(value) -> int | None:
    """A recording's length in whole seconds; None for anything a recording cannot last (a day at most)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 and int(text) <= MAX_RECORDING_SECONDS else None


@router.post("/whisper")
async def whisper(request: Request, form: TwilioForm, call: str = "") -> Response:
    """Played to the agent who answers a <Dial><Number>: who is calling and whether they are verified."""
    summary = request.app.state.conversations.summary(call)
    response = VoiceResponse()
    response.say(summary or "Incoming caller from the front door.")
    return twiml(str(response))
