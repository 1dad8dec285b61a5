"""The call lane (webhooks/call_lane.py): a call's own webhooks skip the framework's middleware layers,
and answer exactly as they do through them: the same statuses, bodies and headers for good and bad
requests, the same belief in a listed proxy, the same apology when a turn fails."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from tests.conftest import BASE_URL, TOKEN, make_settings
from webhooks.app import create_app

SIGNER = RequestValidator(TOKEN)


class Seen:
    """A middleware of the full stack: it records each path that went through that stack."""

    paths: list[str] = []

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            Seen.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def app(customers):
    Seen.paths = []
    app = create_app(make_settings(customers))
    app.add_middleware(Seen)
    return app


def signed(path: str, params: dict, *, base: str = BASE_URL) -> tuple[bytes, dict]:
    body = urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": SIGNER.compute_signature(base + path, params)}
    return body, headers


def start(call_sid: str) -> dict:
    return {"CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "From": "+447700900123", "To": "+442071230000",
            "CallStatus": "ringing", "Direction": "inbound"}


def test_a_calls_webhooks_take_the_lane_and_everything_else_the_full_stack(app):
    with TestClient(app, base_url=BASE_URL) as http:
        body, headers = signed("/twilio/voice", start("CA" + "1" * 32))
        assert http.post("/twilio/voice", content=body, headers=headers).status_code == 200
        body, headers = signed("/twilio/voice/status", {**start("CA" + "1" * 32), "CallStatus": "completed"})
        assert http.post("/twilio/voice/status", content=body, headers=headers).status_code in (200, 204)
        assert Seen.paths == []
        assert http.get("/healthz").status_code == 200
        assert http.get("/twilio/voice").status_code == 405  # the lane takes POSTs only
    assert Seen.paths == ["/healthz", "/twilio/voice"]


def test_with_fastapis_opentelemetry_switched_on_every_request_takes_the_full_stack(app, monkeypatch):
    monkeypatch.setattr(type(app._native_telemetry), "enabled", lambda self: True)
    monkeypatch.setattr(type(app._native_telemetry), "__call__",
                        lambda self, *, app, scope, receive, send, legacy_otel: app(scope, receive, send))
    with TestClient(app, base_url=BASE_URL) as http:
        body, headers = signed("/twilio/voice", start("CA" + "2" * 32))
        assert http.post("/twilio/voice", content=body, headers=headers).status_code == 200
    assert Seen.paths == ["/twilio/voice"]


def test_under_a_root_path_the_lane_steps_aside(app):
    scope = {"type": "http", "method": "POST", "path": "/twilio/voice", "root_path": "/frontdoor"}
    assert not app.call_lane.takes(scope)
    assert app.call_lane.takes({**scope, "root_path": ""})


def _bad_requests() -> list[tuple[str, str, bytes, dict]]:
    good_body, good_headers = signed("/twilio/voice", start("CA" + "3" * 32))
    no_sid_body, no_sid_headers = signed("/twilio/voice/turn", {"Digits": "1"})
    bad_t_body, bad_t_headers = signed("/twilio/voice/turn?t=x", start("CA" + "4" * 32))
    sms_body, sms_headers = signed("/twilio/messaging", {"MessageSid": "SM" + "5" * 32, "From": "+447700900123"})
    return [
        ("unsigned", "/twilio/voice", good_body, {"Content-Type": "application/x-www-form-urlencoded"}),
        ("forged", "/twilio/voice", good_body, {**good_headers, "X-Twilio-Signature": "bm90IGl0"}),
        ("not a form", "/twilio/voice", b'{"CallSid": "CA1"}', {**good_headers, "Content-Type": "application/json"}),
        ("too large", "/twilio/voice", b"x=" + b"1" * 70_000, {**good_headers, "Content-Length": "70002"}),
        ("no CallSid", "/twilio/voice/turn", no_sid_body, no_sid_headers),
        ("t not a number", "/twilio/voice/turn?t=x", bad_t_body, bad_t_headers),
        ("signed for another path", "/twilio/voice/status", good_body, good_headers),
        ("SMS without a Body or To", "/twilio/messaging", sms_body, sms_headers),
    ]


@pytest.mark.parametrize("case", _bad_requests(), ids=lambda case: case[0])
def test_a_bad_webhook_gets_the_same_answer_through_the_lane_as_through_the_full_stack(app, case):
    _, path, body, headers = case
    answers = []
    with TestClient(app, base_url=BASE_URL) as http:
        for lane in (app.call_lane, None):
            app.call_lane = lane
            response = http.post(path, content=body, headers=headers)
            answers.append((response.status_code, response.headers.get("content-type"), response.content))
    assert answers[0] == answers[1]
    assert 400 <= answers[0][0] < 500 or b"<Response>" in answers[0][2]
    assert Seen.paths == [path.split("?")[0]]  # the second time only: the full stack


def test_a_turn_that_fails_gets_the_same_apology_through_the_lane_as_through_the_full_stack(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(app.state.conversations, "handle", broken)
    answers = []
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as http:
        for n, lane in enumerate((app.call_lane, None)):
            app.call_lane = lane
            body, headers = signed("/twilio/voice", start(f"CA{n}" + "6" * 31))
            response = http.post("/twilio/voice", content=body, headers=headers)
            answers.append((response.status_code, response.text))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200 and "<Enqueue>general</Enqueue>" in answers[0][1]


@pytest.mark.parametrize("proxy, expected", [("10.0.0.2", 200), ("10.9.9.9", 403)])
def test_the_lane_believes_the_scheme_a_listed_proxy_gives_and_no_one_elses(customers, proxy, expected):
    # No PUBLIC_BASE_URL: the URL Twilio signed (https) is the request's own, as the proxy forwarded it.
    app = create_app(make_settings(customers, public_base_url=None, forwarded_allow_ips=proxy))
    body, headers = signed("/twilio/voice", start("CA" + "7" * 32), base="https://frontdoor.example.com")
    with TestClient(app, base_url="http://frontdoor.example.com", client=("10.0.0.2", 40000)) as http:
        response = http.post("/twilio/voice", content=body, headers={**headers, "X-Forwarded-Proto": "https"})
    assert response.status_code == expected
