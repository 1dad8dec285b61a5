"""A test client that behaves like Twilio on a call: it posts signed form requests, parses the
TwiML, follows <Gather action> and <Redirect>, falls through to the next verb when the caller
says nothing, and stops at <Enqueue>, <Dial> or <Hangup>."""
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

    # -- what a caller does -------------------------------------------------------------
    def dial(self) -> "TwilioPhone":
        self._fetch(self.base_url + "/twilio/voice", {})
        return self

    def press(self, digits: str) -> "TwilioPhone":
        gather = self._require_gather("dtmf")
        finish = gather.get("finishOnKey", "#")
        keys = digits[:-1] if finish and digits.endswith(finish) else digits
        self._fetch(self._url(gather.get("action")), {"Digits": keys, "FinishedOnKey": finish if digits.endswith(finish or "\0") else ""})
        return self

    def say(self, speech: str, confidence: float = 0.92) -> "TwilioPhone":
        gather = self._require_gather("speech")
        self._fetch(self._url(gather.get("action")), {"SpeechResult": speech, "Confidence": f"{confidence:.2f}"})
        return self

    def silence(self) -> "TwilioPhone":
        """Nobody answers the Gather: Twilio skips its action and runs the verbs after it."""
        assert self.gather is not None, "no <Gather> is waiting"
        verbs, self.gather, self.pending = self.pending, None, []
        self._run(verbs)
        return self

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
                for child in verb:
                    if child.tag == "Say":
                        self._heard(child)
                self.gather = verb
                self.pending = verbs[index + 1:]
                return
            elif verb.tag == "Redirect":
                self._fetch(self._url(verb.text), {})
                return
            elif verb.tag == "Enqueue":
                task = verb.find("Task")
                self.handoff = Handoff("Enqueue", queue=(verb.text or "").strip() or None,
                                       workflow_sid=verb.get("workflowSid"),
                                       attributes=json.loads(task.text) if task is not None else None)
                return
            elif verb.tag == "Dial":
                number, sip = verb.find("Number"), verb.find("Sip")
                self.handoff = Handoff("Dial", number=number.text if number is not None else None,
                                       whisper_url=number.get("url") if number is not None else None,
                                       sip=sip.text if sip is not None else None)
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
        assert self.gather is not None, f"no <Gather> is waiting; last said: {self.last!r}"
        assert kind in self.gather.get("input", "dtmf"), f"the Gather does not take {kind}: {self.gather.attrib}"
        return self.gather

    def _url(self, action: str | None) -> str:
        assert action, "a Gather/Redirect without a URL"
        return urljoin(self.base_url + "/", action)
