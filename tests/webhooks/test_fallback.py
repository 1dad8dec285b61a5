"""/twilio/voice/fallback: what Twilio calls when the main webhook fails. No database, no flows."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from tests.conftest import BASE_URL, TOKEN, make_settings
from webhooks.app import create_app

URL = BASE_URL + "/twilio/voice/fallback"
FORM = {"CallSid": "CA" + "1" * 32, "From": "+447700900123", "To": "+442071230000", "CallStatus": "in-progress",
        "ErrorCode": "11200", "ErrorUrl": BASE_URL + "/twilio/voice"}


def post(http, form=FORM, *, signed=True):
    headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(URL, form)} if signed else {}
    return http.post(URL, data=form, headers=headers)


@pytest.fixture
def make_client(customers):
    def make(**overrides) -> TestClient:
        app = create_app(make_settings(customers, **overrides))
        # The database is gone: the fallback must not need it.
        app.state.conversations.database_url = "postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2"
        return TestClient(app, base_url=BASE_URL)
    return make


def test_the_fallback_apologises_and_queues_for_a_colleague_without_the_database(make_client, caplog):
    with make_client(twilio_workflow_sid=None) as http:  # a plain named queue
        response = post(http)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert [verb.tag for verb in root] == ["Say", "Enqueue"]
    assert "sorry" in root.find("Say").text.lower() and "colleague" in root.find("Say").text
    assert root.find("Enqueue").text == "general"
    assert any("Twilio error 11200" in r.getMessage() for r in caplog.records)


def test_the_fallback_goes_through_taskrouter_when_a_workflow_is_set(make_client):
    with make_client(twilio_workflow_sid="WW" + "0" * 32) as http:
        root = ET.fromstring(post(http).text)
    enqueue = root.find("Enqueue")
    assert enqueue.get("workflowSid") == "WW" + "0" * 32
    task = json.loads(enqueue.find("Task").text)
    assert task == {"department": "general", "verified": False, "reason": "fallback", "channel": "voice",
                    "call_sid": FORM["CallSid"]}


@pytest.mark.parametrize("signed", [False, "tampered"])
def test_the_fallback_is_signature_checked(make_client, signed):
    with make_client() as http:
        if signed == "tampered":
            headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(URL, FORM)}
            response = http.post(URL, data={**FORM, "From": "+15005550006"}, headers=headers)
        else:
            response = post(http, signed=False)
    assert response.status_code == 403
