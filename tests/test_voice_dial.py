"""Departments reached by <Dial>: a phone number (with a whisper for the agent) and a SIP URI (context as X- headers)."""
from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BASE_URL, FLOWS, TOKEN, make_settings
from tests.twilio_phone import TwilioPhone


@pytest.fixture
def dial_phone(customers, tmp_path):
    from webhooks.app import create_app

    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    text = (flows / "default.yaml").read_text()
    for old, new in (("department: cards\n", "department: fraud\n"), ("department: loans\n", "department: collections\n")):
        assert old in text
        text = text.replace(old, new, 1)
    (flows / "default.yaml").write_text(text)
    app = create_app(make_settings(customers, flows_dir=flows))
    with TestClient(app, base_url=BASE_URL) as http:
        yield lambda: TwilioPhone(http, token=TOKEN, base_url=BASE_URL)


def verified(call):
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    return call


def test_sip_department_gets_the_context_as_headers(dial_phone):
    call = verified(dial_phone().dial())
    call.press("2")
    assert call.handoff.verb == "Dial" and call.handoff.sip.startswith("sip:fraud@pbx.example.com?")
    headers = parse_qs(urlsplit(call.handoff.sip.replace("sip:", "sip://", 1)).query)
    assert headers["X-Verified"] == ["true"] and headers["X-Customer-Number"] == ["1023456781"]
    assert headers["X-Department"] == ["fraud"] and headers["X-Call-Sid"] == [call.call_sid]


def test_number_department_whispers_to_the_agent_before_bridging(dial_phone):
    call = verified(dial_phone().dial())
    call.press("3")
    assert call.handoff.verb == "Dial" and call.handoff.number == "+442071234567"
    whisper = call._post(call._url(call.handoff.whisper_url), {})
    assert whisper.status_code == 200
    said = whisper.text
    assert "Verified caller" in said and "6 7 8 1" in said and "collections" in said
    assert "1023456781" not in said  # the agent hears the last four only
