"""Twilio Voice: form -> Input, engine, Reply -> TwiML. Translation only; the engine decides."""
from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.background import BackgroundTasks
from twilio.twiml.voice_response import VoiceResponse

from bot.engine.io import Input, Reply
from bot.understanding import is_withheld_caller_id
from bot.voice_handoffs import VoiceHandoffs
from webhooks import observe
from webhooks.offload import TurnTimedOut, in_time
from webhooks.security import SettingsDep, TwilioForm, signed_form
from webhooks.texts import send_after_reply
from webhooks.twiml import render_hold, render_voice

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


def _input(form, *, kind: str | None = None, at_offer: bool = False) -> Input:
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
                 confidence=confidence, caller=_caller(form), called=str(form.get("To", ""))[:64] or None,
                 at_offer=at_offer)


def apology() -> str:
    # Something failed on our side: the caller still reaches a person, never a dead line.
    response = VoiceResponse()
    response.say("Sorry, something went wrong on our side. I'll put you through to a colleague.")
    response.enqueue("general")
    return str(response)


async def _run(request: Request, settings, inp: Input, turn: int | None) -> Response:
    # Any failure below is answered with TwiML, never a 500 that would end the call.
    conversations = request.app.state.conversations
    observe.turn_started(request, call_sid=inp.session_key)
    try:
        # The turn reads and writes the database (and may call a self-service endpoint): never on the event loop.
        result = await in_time(request, conversations.handle, inp, turn=turn, render=_renderer(settings),
                               after=VoiceHandoffs(conversations).started)
    except TurnTimedOut:
        log.warning("voice turn for call %s did not finish in time: the caller goes to a colleague", inp.session_key[-6:])
        observe.turn_failed(request, "voice")
        return twiml(apology())
    except Exception:
        log.exception("voice turn failed for call %s", inp.session_key[-6:])
        observe.turn_failed(request, "voice")
        return twiml(apology())
    observe.turn_done(request, "voice", result)
    return _respond(request, result)


def _respond(request: Request, result) -> Response:
    response = twiml(result.body)
    message = result.reply.text_message if result.reply is not None else None
    if message is not None or result.texts:
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


# A call's own webhooks (every turn, then the status callback) are plain Starlette routes taking the
# request alone: FastAPI's dependency solving cost more than the rest of the web layer's work. They
# check the signature first, as TwilioForm does, then read the query by hand with FastAPI's answers.
_INTEGER = TypeAdapter(int)


def query_int(request: Request, name: str, default: int = 0) -> int:
    """An integer query parameter (the last one given), validated as FastAPI validates `name: int = default`:
    a value it cannot read is a 422 naming ("query", name)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return _INTEGER.validate_python(raw)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("query", name, *error["loc"])} for error in exc.errors()]) from None


async def incoming_call(request: Request) -> Response:
    form = await signed_form(request)
    return await _run(request, request.app.state.settings, _input(form, kind="start"), None)


async def next_turn(request: Request) -> Response:
    form = await signed_form(request)
    t = query_int(request, "t")
    e, o = request.query_params.get("e"), request.query_params.get("o")
    # o=offer: the answer came from an inline offer's own Gather, before its question was asked.
    inp = _input(form, kind="silence" if e == "silence" else None, at_offer=o == "offer")
    return await _run(request, request.app.state.settings, inp, t)


# How a <Dial> ended (DialCallStatus) and how a caller left an <Enqueue> (QueueResult), in the words
# the engine uses (bot/engine/unanswered.py). Twilio's values: https://www.twilio.com/docs/voice/twiml/dial#dialcallstatus
# and https://www.twilio.com/docs/voice/twiml/enqueue#attributes-action-parameters.
DIAL_RESULTS = {"completed": "answered", "answered": "answered", "busy": "busy", "no-answer": "no-answer",
                "failed": "failed", "canceled": "canceled"}
QUEUE_RESULTS = {"bridged": "answered", "bridging-in-process": "answered", "redirected-from-bridged": "answered",
                 "redirected": "redirected", "hangup": "abandoned", "leave": "left", "queue-full": "failed",
                 "error": "failed", "system-error": "failed"}


def _form_seconds(form, name: str) -> int | None:
    try:
        value = int(str(form.get(name, "")).strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def handoff_result(form) -> tuple[str, str, int | None, int | None]:
    """(result, Twilio's own word, seconds waited, seconds talked) from a <Dial> or <Enqueue> action."""
    if form.get("QueueResult") is not None:
        raw = str(form.get("QueueResult"))
        result, waited, talked = QUEUE_RESULTS.get(raw, "failed"), _form_seconds(form, "QueueTime"), None
    else:
        raw = str(form.get("DialCallStatus", ""))
        result, waited, talked = DIAL_RESULTS.get(raw, "failed"), None, _form_seconds(form, "DialCallDuration")
    if result not in ("answered", "redirected") and str(form.get("CallStatus", "")) in ("completed", "canceled"):
        result = "abandoned"  # the caller's own leg has ended: they hung up before anyone answered
    return result, raw, waited, talked


@router.post("/handoff")
async def handoff_ended(request: Request, form: TwilioForm, settings: SettingsDep, t: int = 0) -> Response:
    """The <Dial> or <Enqueue> action: record how the handoff ended; a caller no one took is offered the
    department's alternatives (callback, voicemail, another department), never just hung up on."""
    result, raw, waited, talked = handoff_result(form)
    handoffs = VoiceHandoffs(request.app.state.conversations)
    try:
        outcome = await in_time(request, handoffs.ended, call_sid=_call_sid(form), turn=t, result=result,
                                          twilio_status=raw, wait_seconds=waited, talk_seconds=talked,
                                          caller=_caller(form), render=_renderer(settings))
    except HTTPException:
        raise
    except Exception:
        log.exception("handoff callback failed for call %s", _call_sid(form)[-6:])
        return twiml(apology())
    if outcome is None:
        log.warning("handoff callback for an unknown call %s", _call_sid(form)[-6:])
        return twiml(apology())
    return _respond(request, outcome)


@router.post("/hold")
async def hold(request: Request, form: TwilioForm) -> Response:
    """The <Enqueue> waitUrl: the caller's place and the expected wait, then hold audio; <Leave/> once
    they have waited past the department's maximum."""
    handoffs = VoiceHandoffs(request.app.state.conversations)
    try:
        waiting = await in_time(request, handoffs.hold, _call_sid(form), position=_form_seconds(form, "QueuePosition"),
                                          average=_form_seconds(form, "AvgQueueTime"), waited=_form_seconds(form, "QueueTime"))
    except HTTPException:
        raise
    except Exception:
        log.exception("hold music failed for call %s", _call_sid(form)[-6:])
        waiting = None
    if waiting is None:
        response = VoiceResponse()
        response.pause(length=10)
        return twiml(str(response))
    return twiml(render_hold(waiting))


async def call_status(request: Request) -> Response:
    form = await signed_form(request)
    status = str(form.get("CallStatus", ""))
    if status in ("completed", "busy", "failed", "no-answer", "canceled"):
        await in_time(request, request.app.state.conversations.hang_up, _call_sid(form), status=status)
    return Response(status_code=204)


# A call's own webhooks: the app matches them first (webhooks/app.py).
CALL_ROUTES = [(BASE, incoming_call), (f"{BASE}/turn", next_turn), (f"{BASE}/status", call_status)]


@router.post("/voicemail")
async def voicemail(request: Request, form: TwilioForm) -> Response:
    """Twilio posts here when a voicemail for a closed department has been recorded."""
    url = str(form.get("RecordingUrl", "")).strip()
    duration = _seconds(form.get("RecordingDuration"))
    conversations = request.app.state.conversations
    if url.startswith("https://"):
        await in_time(request, conversations.record_voicemail, _call_sid(form), recording_url=url[:500],
                                duration_seconds=duration)
    # The goodbye is the flow's wording, in the caller's language and voice.
    goodbye = await in_time(request, conversations.goodbye, _call_sid(form))
    return twiml(render_voice(goodbye, turn=0, base_path=BASE))


def _seconds(value) -> int | None:
    """A recording's length in whole seconds; None for anything a recording cannot last (a day at most)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 and int(text) <= MAX_RECORDING_SECONDS else None


@router.post("/whisper")
async def whisper(request: Request, form: TwilioForm, call: str = "") -> Response:
    """Played to the agent who answers a <Dial><Number>, or who dequeues a caller with <Dial><Queue url=...>
    (Twilio then posts the caller's CallSid): who is calling and whether they are verified."""
    summary = await in_time(request, request.app.state.conversations.summary, call or str(form.get("CallSid", "")))
    response = VoiceResponse()
    response.say(summary or "Incoming caller from the front door.")
    return twiml(str(response))
