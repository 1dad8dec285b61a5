"""Reply -> TwiML for Twilio Voice. Built with the twilio library, so every dynamic text is escaped, and
written out by webhooks.twiml_text (the same characters as the library's own str(), faster)."""
from __future__ import annotations

import json
from urllib.parse import quote

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from bot.engine import ssml
from bot.engine.io import Expect, Reply, Segment
from bot.records import Handoff
from webhooks.twiml_text import twiml_text


def render_voice(reply: Reply, *, turn: int, base_path: str = "/twilio/voice", workflow_sid: str | None = None,
                 whisper_url: str | None = None) -> str:
    """The reply as TwiML. A handoff's <Dial> or <Enqueue> reports how it ended to `{base_path}/handoff?t=N`,
    so a caller no one takes is offered the alternatives rather than cut off."""
    response = VoiceResponse()
    if reply.expect is not None:
        said = reply.say
        if reply.offer is not None:
            # The offer listens on its own (one key ends it); when it times out Twilio goes straight on
            # to the question's Gather below, in this same document: no request in between.
            offer = response.gather(**gather_attributes(reply.offer, action=f"{base_path}/turn?t={turn}&o=offer"))
            add_speech(offer, reply, reply.say[:reply.offer_said])
            said = reply.say[reply.offer_said:]
        gather = response.gather(**gather_attributes(reply.expect, action=f"{base_path}/turn?t={turn}"))
        add_speech(gather, reply, said)
        # Twilio falls through to the next verb when nobody answers: come back as "silence", never hang up.
        response.redirect(f"{base_path}/turn?t={turn}&e=silence", method="POST")
        return twiml_text(response)
    add_speech(response, reply)
    if reply.record is not None:
        # A voicemail for a closed department; Twilio posts the recording's URL to the action.
        response.record(action=f"{base_path}/voicemail", method="POST", max_length=reply.record.max_seconds,
                        play_beep=True, finish_on_key="#", timeout=5)
        response.hangup()
    elif reply.handoff is not None:
        add_handoff(response, reply.handoff, workflow_sid=workflow_sid, whisper_url=whisper_url,
                    action=f"{base_path}/handoff?t={turn}", wait_url=f"{base_path}/hold")
    else:
        response.hangup()
    return twiml_text(response)


def gather_attributes(expect: Expect, *, action: str) -> dict:
    inputs = " ".join(kind for kind, wanted in (("dtmf", expect.dtmf), ("speech", expect.speech)) if wanted)
    attributes = {
        "input": inputs or "dtmf",
        "action": action,
        "method": "POST",
        "timeout": expect.timeout,
        "finish_on_key": expect.finish_on_key,
        "action_on_empty_result": False,
    }
    if expect.num_digits:
        attributes["num_digits"] = expect.num_digits
    if expect.speech:
        # Twilio requires an integer speechTimeout when a speech model is named.
        attributes["speech_timeout"] = expect.speech_timeout if not expect.speech_model or expect.speech_timeout != "auto" else 3
        if expect.speech_model:
            attributes["speech_model"] = expect.speech_model
        if expect.enhanced:
            attributes["enhanced"] = True
        if expect.hints:
            attributes["hints"] = ",".join(expect.hints)
        if expect.language:
            attributes["language"] = expect.language
    return attributes


def add_speech(parent: VoiceResponse | Gather, reply: Reply, segments: list[Segment] | None = None) -> None:
    """A <Say> per run of segments in one voice and language: text, digits read one by one, pauses."""
    run: list[Segment] = []
    for segment in reply.say if segments is None else segments:
        if run and (segment.voice, segment.language) != (run[-1].voice, run[-1].language):
            _say(parent, run, reply)
            run = []
        run.append(segment)
    if run:
        _say(parent, run, reply)


def _say(parent: VoiceResponse | Gather, segments: list[Segment], reply: Reply) -> None:
    say: Say = parent.say(voice=segments[0].voice or reply.voice, language=segments[0].language or reply.language)
    pending_text = ""
    for segment in segments:
        if segment.kind == "text":
            pending_text += _spaced(pending_text, segment.text)
            continue
        if pending_text:
            say.append(pending_text + " ")
            pending_text = ""
        if segment.kind == "digits":
            say.say_as(segment.text, interpret_as="digits")
        elif segment.kind == "ssml":
            _append_ssml(say, ssml.parse(segment.text))
        else:
            say.break_(time=segment.text)
    if pending_text:
        say.append((" " if say.verbs else "") + pending_text)


def _append_ssml(node, element) -> None:
    """Copy a checked SSML fragment under a <Say>, tags and text in order."""
    if element.text:
        node.append(element.text)
    for child in element:
        nested = node.add_child(child.tag, None, **dict(child.attrib))
        _append_ssml(nested, child)
        if child.tail:
            node.append(child.tail)


def _spaced(before: str, text: str) -> str:
    if before and not before.endswith(" ") and not text.startswith((" ", ".", ",", "?", "!")):
        return " " + text
    return text


def add_handoff(response: VoiceResponse, handoff: Handoff, *, workflow_sid: str | None, whisper_url: str | None,
                action: str | None = None, wait_url: str | None = None) -> None:
    """<Enqueue> for a queue, <Dial> for a number or SIP URI; `action` hears how it ended.

    Twilio's documented attributes (https://www.twilio.com/docs/voice/twiml/enqueue,
    https://www.twilio.com/docs/voice/twiml/dial): <Enqueue action method waitUrl waitUrlMethod
    workflowSid>; a <Task> (with priority and timeout) only under a TaskRouter workflow; <Dial action
    method timeout answerOnBridge>. The action gets QueueResult/QueueTime, or DialCallStatus/DialCallDuration."""
    target = handoff.target
    callbacks = {"action": action, "method": "POST"} if action else {}
    if target.kind == "queue":
        sid = target.workflow_sid or workflow_sid
        waiting = {"wait_url": wait_url, "wait_url_method": "POST"} if wait_url else {}
        if sid:
            # TaskRouter routes on the Task's JSON attributes; agents' desktops show them.
            enqueue = response.enqueue(None, workflow_sid=sid, **callbacks, **waiting)
            enqueue.task(json.dumps(handoff.context, sort_keys=True), priority=target.task_priority,
                         timeout=target.task_timeout)
        else:
            # A plain named queue has no Task: agents dequeue with <Dial><Queue url=".../whisper">, which
            # tells them who is calling (Twilio posts the caller's CallSid to that url).
            response.enqueue(target.address, **callbacks, **waiting)
    elif target.kind == "sip":
        dial = response.dial(answer_on_bridge=True, timeout=target.ring_seconds, **callbacks)
        dial.sip(sip_with_headers(target.address, handoff.context))
    else:
        dial = response.dial(answer_on_bridge=True, timeout=target.ring_seconds, **callbacks)
        dial.number(target.address, url=whisper_url)


def render_hold(hold) -> str:
    """The waitUrl's TwiML: <Leave/>, or the place in the queue and the expected wait, then the hold
    audio (<Play>) or a <Pause>; Twilio asks again when it has finished."""
    response = VoiceResponse()
    if hold.leave:
        response.leave()
        return twiml_text(response)
    if hold.say:
        add_speech(response, Reply(say=hold.say, language=hold.language or "en-GB", voice=hold.voice))
    if hold.audio:
        response.play(hold.audio)
    else:
        response.pause(length=hold.pause_seconds)
    return twiml_text(response)


def sip_with_headers(uri: str, context: dict) -> str:
    """Context as X- headers on the SIP URI (values URL-encoded; None as empty)."""
    headers = []
    for key, value in context.items():
        name = "X-" + "-".join(part.capitalize() for part in key.split("_"))
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = ",".join(value)
        elif value is None:
            value = ""
        # errors="replace": a lone surrogate (text a chat or speech turn carried in) becomes "?" (%3F),
        # where UTF-8 encoding would raise and turn the handoff into the apology.
        headers.append(f"{name}={quote(str(value), safe='', errors='replace')}")
    separator = "&" if "?" in uri else "?"
    return uri + separator + "&".join(headers)


def render_text(segments: list[Segment]) -> str:
    return " ".join(s.text for s in segments if s.kind != "pause")
