"""A test client that behaves like Twilio on a call: it posts signed form requests, parses the
TwiML, follows <Gather action> and <Redirect>, falls through to the next verb when the caller
says nothing, and stops at <Enqueue>, <Dial> or <Hangup>.

A <Gather> ends as Twilio's reference says (https://www.twilio.com/docs/voice/twiml/gather): when
`numDigits` keys are in, when its `finishOnKey` is pressed, or `timeout` seconds after the last key.
The phone records in `waits` every time the caller had to sit out a timeout, so a test can show
that a caller who follows the prompts never does. A document may hold several Gathers in a row
(an inline offer's, then the question's): a caller pressing keys the first one cannot take lets
it time out and answers the next."""
from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator


@dataclass
class Handoff:
    verb: str  # Enqueue | Dial
    queue: str | None = None
    workflow_sid: str | None = None
    attributes: dict | None = None
    number: str | None = None
    whisper_url: str | None = None
    sip: str | None = None
    action: str | None = None  # where Twilio reports how it ended
    wait_url: str | None = None  # <Enqueue waitUrl>: what the caller hears while waiting
    ring_seconds: int | None = None  # <Dial timeout>


@dataclass(frozen=True)
class Wait:
    """A Gather the caller had to let time out: `why` is skipped (a Gather before the one answered),
    silence, or unfinished (keys that neither reached numDigits nor ended with the finish key)."""

    why: str
    seconds: int
    action: str


@dataclass
class CallLog:
    said: list[str] = field(default_factory=list)  # every <Say>, in order, as plain text
    turns: list[str] = field(default_factory=list)  # the Say text of each response


class TwilioPhone:
    def __init__(self, http, *, token: str, base_url: str, from_: str = "+447700900123",
                 to: str = "+442071230000", call_sid: str | None = None, sign: bool = True):
        self.http = http
        self.validator = RequestValidator(token)
        self.base_url = base_url.rstrip("/")
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.from_ = from_
        self.to = to
        self.sign = sign
        self.log = CallLog()
        self.gather: ET.Element | None = None
        self.pending: list[ET.Element] = []  # verbs after the Gather, run when it gets no input
        self.handoff: Handoff | None = None
        self.hung_up = False
        self.responses: list[str] = []
        self.last_status: int | None = None
        self.waits: list[Wait] = []
        self.recording: ET.Element | None = None

    # -- what a caller does -------------------------------------------------------------
    def dial(self) -> "TwilioPhone":
        self._fetch(self.base_url + "/twilio/voice", {})
        return self

    def press(self, digits: str, *, early: bool = False) -> "TwilioPhone":
        """Keys, as a caller presses them at the question being asked. `early`: at the first Gather
        of the document even if it cannot take them all (an inline offer's, say)."""
        self._require_gather("dtmf")
        if not early:
            while self.pending and self.pending[0].tag == "Gather" and not _completes(self.gather, digits):
                self._skip("skipped")
        gather = self._require_gather("dtmf")
        finish = gather.get("finishOnKey", "#")
        keys = digits[:-1] if finish and digits.endswith(finish) else digits
        limit = int(gather.get("numDigits") or 0)
        spilt = keys if len(keys) > limit else finish if keys != digits and len(keys) == limit else ""
        assert not limit or not spilt, (f"the Gather takes {limit} key(s) and ends there: the rest of "
                                        f"{digits!r} would land in whatever comes next")
        if not _completes(gather, digits):
            self.waits.append(Wait("unfinished", int(gather.get("timeout", 5)), gather.get("action", "")))
        self._fetch(self._url(gather.get("action")), {"Digits": keys, "FinishedOnKey": finish if digits.endswith(finish or "\0") else ""})
        return self

    def say(self, speech: str, confidence: float = 0.92, *, early: bool = False) -> "TwilioPhone":
        """Words, as a caller says them after the last question of the document (`early`: to the first Gather)."""
        self._require_gather("speech")
        while not early and self.pending and self.pending[0].tag == "Gather":
            self._skip("skipped")
        gather = self._require_gather("speech")
        self._fetch(self._url(gather.get("action")), {"SpeechResult": speech, "Confidence": f"{confidence:.2f}"})
        return self

    def silence(self) -> "TwilioPhone":
        """Nobody answers: every Gather of the document times out and Twilio runs the verbs after them."""
        assert self.gather is not None, "no <Gather> is waiting"
        while self.pending and self.pending[0].tag == "Gather":
            self._skip("silence")
        self.waits.append(Wait("silence", int(self.gather.get("timeout", 5)), self.gather.get("action", "")))
        verbs, self.gather, self.pending = self.pending, None, []
        self._run(verbs)
        return self

    def _skip(self, why: str) -> None:
        """The current Gather times out; Twilio goes on to the Gather right after it (already heard)."""
        self.waits.append(Wait(why, int(self.gather.get("timeout", 5)), self.gather.get("action", "")))
        self.gather, self.pending = self.pending[0], self.pending[1:]

    def dial_ends(self, status: str, *, duration: int | None = None) -> "TwilioPhone":
        """The <Dial> is over (DialCallStatus completed, busy, no-answer, failed, canceled): Twilio
        requests its action and carries on with the TwiML it gets."""
        assert self.handoff is not None and self.handoff.verb == "Dial" and self.handoff.action, self.handoff
        extra = {"DialCallStatus": status, "DialCallSid": "CA" + uuid.uuid4().hex}
        if duration is not None:
            extra["DialCallDuration"] = str(duration)
        self._continue_after(self.handoff.action, extra)
        return self

    def hold(self, *, position: int, waited: int, average: int = 60, size: int = 3) -> ET.Element:
        """Twilio asks the <Enqueue> waitUrl what the caller hears now; the parsed TwiML."""
        assert self.handoff is not None and self.handoff.wait_url, self.handoff
        response = self._post(self._url(self.handoff.wait_url), {
            "QueueSid": "QU" + "0" * 32, "QueuePosition": str(position), "QueueTime": str(waited),
            "AvgQueueTime": str(average), "CurrentQueueSize": str(size), "MaxQueueSize": "1000"})
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    def leave_queue(self, result: str, *, waited: int) -> "TwilioPhone":
        """The caller leaves the queue (QueueResult bridged, hangup, leave, error, ...): Twilio requests
        the <Enqueue> action and carries on with the TwiML it gets."""
        assert self.handoff is not None and self.handoff.verb == "Enqueue" and self.handoff.action, self.handoff
        self._continue_after(self.handoff.action, {"QueueResult": result, "QueueTime": str(waited),
                                                   "QueueSid": "QU" + "0" * 32})
        return self

    def _continue_after(self, action: str, extra: dict) -> None:
        self.handoff = None
        self._fetch(self._url(action), extra)

    def hang_up(self, status: str = "completed") -> int:
        response = self._post(self.base_url + "/twilio/voice/status", {"CallStatus": status, "CallDuration": "42"})
        self.hung_up = True
        return response.status_code

    # -- what the test reads ---------------------------------------------------------------
    @property
    def last(self) -> str:
        return self.log.turns[-1] if self.log.turns else ""

    @property
    def waiting(self) -> bool:
        return self.gather is not None

    @property
    def task(self) -> dict:
        assert self.handoff is not None and self.handoff.attributes is not None, f"no <Task> handoff; last said: {self.last!r}"
        return self.handoff.attributes

    # -- Twilio's side -----------------------------------------------------------------------
    def _params(self, extra: dict) -> dict:
        params = {"CallSid": self.call_sid, "AccountSid": "AC" + "0" * 32, "From": self.from_, "To": self.to,
                  "Caller": self.from_, "Called": self.to, "CallStatus": "in-progress", "Direction": "inbound",
                  "ApiVersion": "2010-04-01"}
        params.update(extra)
        return params

    def _post(self, url: str, extra: dict):
        params = self._params(extra)
        headers = {}
        if self.sign:
            headers["X-Twilio-Signature"] = self.validator.compute_signature(url, params)
        response = self.http.post(url, data=params, headers=headers)
        self.last_status = response.status_code
        return response

    def _fetch(self, url: str, extra: dict) -> None:
        response = self._post(url, extra)
        assert response.status_code == 200, f"{url} -> {response.status_code}: {response.text[:300]}"
        assert response.headers["content-type"].startswith(("text/xml", "application/xml")), response.headers
        self.responses.append(response.text)
        root = ET.fromstring(response.text)
        assert root.tag == "Response", response.text
        self.gather, self.pending = None, []
        self.log.turns.append("")
        self._run(list(root))

    def _run(self, verbs: list[ET.Element]) -> None:
        for index, verb in enumerate(verbs):
            if verb.tag == "Say":
                self._heard(verb)
            elif verb.tag == "Gather":
                self.gather = verb
                self.pending = verbs[index + 1:]
                # Gathers in a row are one wait: the caller hears each in turn as the one before times out.
                for gather in [verb] + _leading_gathers(self.pending):
                    for child in gather:
                        if child.tag == "Say":
                            self._heard(child)
                return
            elif verb.tag == "Redirect":
                self._fetch(self._url(verb.text), {})
                return
            elif verb.tag == "Enqueue":
                task = verb.find("Task")
                attributes = json.loads(task.text) if task is not None else None
                # Under TaskRouter the <Enqueue> names no queue: the workflow routes on the Task's department.
                queue = (verb.text or "").strip() or (attributes or {}).get("department")
                self.handoff = Handoff("Enqueue", queue=queue, workflow_sid=verb.get("workflowSid"),
                                       attributes=attributes, action=verb.get("action"), wait_url=verb.get("waitUrl"))
                return
            elif verb.tag == "Dial":
                number, sip = verb.find("Number"), verb.find("Sip")
                self.handoff = Handoff("Dial", number=number.text if number is not None else None,
                                       whisper_url=number.get("url") if number is not None else None,
                                       sip=sip.text if sip is not None else None, action=verb.get("action"),
                                       ring_seconds=int(verb.get("timeout")) if verb.get("timeout") else None)
                return
            elif verb.tag == "Record":
                # A voicemail: Twilio records until the caller hangs up or presses the finish key.
                self.recording = verb
                return
            elif verb.tag == "Hangup":
                self.hung_up = True
                return
            elif verb.tag == "Pause":
                continue
            else:
                raise AssertionError(f"unexpected TwiML verb <{verb.tag}>")
        # Twilio ends the call when the document runs out.
        self.hung_up = True

    def _heard(self, say: ET.Element) -> None:
        text = " ".join(" ".join(say.itertext()).split())
        self.log.said.append(text)
        self.log.turns[-1] = (self.log.turns[-1] + " " + text).strip()

    def _require_gather(self, kind: str) -> ET.Element:
        if self.gather is not None and kind not in self.gather.get("input", "dtmf") and self.pending \
                and self.pending[0].tag == "Gather":
            self._skip("skipped")
        assert self.gather is not None, f"no <Gather> is waiting; last said: {self.last!r}"
        assert kind in self.gather.get("input", "dtmf"), f"the Gather does not take {kind}: {self.gather.attrib}"
        return self.gather

    def _url(self, action: str | None) -> str:
        assert action, "a Gather/Redirect without a URL"
        return urljoin(self.base_url + "/", action)


def _leading_gathers(verbs: list[ET.Element]) -> list[ET.Element]:
    found = []
    for verb in verbs:
        if verb.tag != "Gather":
            break
        found.append(verb)
    return found


def _completes(gather: ET.Element, digits: str) -> bool:
    """The keys are one whole entry for the Gather and end it at once: they end with its finish key or
    reach its numDigits (and do not go past numDigits, where Twilio would already have stopped)."""
    finish = gather.get("finishOnKey", "#")
    finished = bool(finish) and digits.endswith(finish)
    keys = digits[:-1] if finished else digits
    limit = int(gather.get("numDigits") or 0)
    if limit and (len(keys) > limit or (finished and len(keys) == limit)):
        return False  # Twilio stops at numDigits: the rest (even a finish key) would not be this Gather's
    return finished or (bool(limit) and len(keys) == limit)
