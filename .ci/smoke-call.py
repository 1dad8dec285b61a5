"""A complete signed call against a running server (used by .ci/smoke-run): start, number, date of birth,
postcode, billing; the last answer must queue the caller, verified. Usage: smoke-call.py BASE_URL TOKEN"""
import json
import sys
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from twilio.request_validator import RequestValidator

base, token = sys.argv[1].rstrip("/"), sys.argv[2]
validator = RequestValidator(token)
call = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": "+447700900123",
        "To": "+442071230000", "CallStatus": "in-progress", "Direction": "inbound"}


def post(path, extra):
    params = {**call, **extra}
    request = Request(base + path, data=urlencode(params).encode(), method="POST",
                      headers={"X-Twilio-Signature": validator.compute_signature(base + path, params)})
    with urlopen(request, timeout=15) as response:
        return ET.fromstring(response.read())


twiml = post("/twilio/voice", {})
for answer in ({"Digits": "1023456781", "FinishedOnKey": "#"}, {"Digits": "03031985"}, {"SpeechResult": "SW1A 1AA",
               "Confidence": "0.9"}, {"Digits": "1"}):
    # The question's Gather is the last one (the first document also has the language offer's own Gather).
    gathers = twiml.findall("Gather")
    assert gathers, ET.tostring(twiml, encoding="unicode")
    gather = gathers[-1]
    twiml = post(gather.get("action"), answer)
task = json.loads(twiml.find("Enqueue/Task").text)
assert task["verified"] is True and task["department"] == "billing", task
print(f"call completed: queued for {task['department']}, verified, via {base}")
