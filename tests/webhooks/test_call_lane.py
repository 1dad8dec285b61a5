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


def both_ways(app, path: str, body, headers: dict, *, raise_server_exceptions: bool = False) -> list:
    """The same request through the lane, then through the full stack: (status, content type, body) or
    the exception that reached the server."""
    answers, lane = [], app.call_lane
    assert lane is not None
    try:
        with TestClient(app, base_url=BASE_URL, raise_server_exceptions=raise_server_exceptions) as http:
            for app.call_lane in (lane, None):
                try:
                    response = http.post(path, content=body() if callable(body) else body, headers=headers)
                    answers.append((response.status_code, response.headers.get("content-type"), response.content))
                except Exception as exc:  # noqa: BLE001 - what reached the server is the answer here
                    answers.append((type(exc), str(exc)))
    finally:
        app.call_lane = lane
    return answers


def completed(call_sid: str) -> tuple[bytes, dict]:
    return signed("/twilio/voice/status", {**start(call_sid), "CallStatus": "completed"})


@pytest.mark.parametrize("raise_server_exceptions", [False, True])
def test_an_error_out_of_an_endpoint_gets_the_apology_and_goes_on_to_the_server_both_ways(
        app, monkeypatch, caplog, raise_server_exceptions):
    def broken(key, *, status):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(app.state.conversations, "hang_up", broken)
    body, headers = completed("CA" + "8" * 32)
    answers = both_ways(app, "/twilio/voice/status", body, headers, raise_server_exceptions=raise_server_exceptions)
    assert answers[0] == answers[1]
    if raise_server_exceptions:
        assert answers[0] == (RuntimeError, "the database went away")
    else:
        assert answers[0][0] == 200 and b"<Enqueue>general</Enqueue>" in answers[0][2]
    assert [r.getMessage() for r in caplog.records].count("unhandled error on /twilio/voice/status") == 2


def test_a_turn_out_of_time_outside_the_turn_gets_the_same_apology_both_ways(app, monkeypatch):
    from bot.deadline import TurnTimedOut

    def slow(key, *, status):
        raise TurnTimedOut()

    monkeypatch.setattr(app.state.conversations, "hang_up", slow)
    body, headers = completed("CA" + "9" * 32)
    answers = both_ways(app, "/twilio/voice/status", body, headers)
    assert answers[0] == answers[1]
    assert answers[0][0] == 200 and b"<Enqueue>general</Enqueue>" in answers[0][2]


def test_a_handler_that_fails_leaves_the_last_resort_to_answer_both_ways(app, monkeypatch):
    from bot.deadline import TurnTimedOut

    async def failing_handler(request, exc):
        raise ValueError("the handler itself failed")

    def slow(key, *, status):
        raise TurnTimedOut()

    app.exception_handlers[TurnTimedOut] = failing_handler
    monkeypatch.setattr(app.state.conversations, "hang_up", slow)
    body, headers = completed("CA" + "a" * 32)
    answers = both_ways(app, "/twilio/voice/status", body, headers)
    assert answers[0] == answers[1]
    assert answers[0][0] == 200 and b"<Enqueue>general</Enqueue>" in answers[0][2]


def test_a_handler_for_a_status_code_is_used_both_ways(app):
    from fastapi.responses import PlainTextResponse

    async def forbidden(request, exc):
        return PlainTextResponse("not from Twilio", status_code=403)

    app.add_exception_handler(403, forbidden)
    body, headers = signed("/twilio/voice", start("CA" + "b" * 32))
    answers = both_ways(app, "/twilio/voice", body, {**headers, "X-Twilio-Signature": "bm90IGl0"})
    assert answers[0] == answers[1] == (403, "text/plain; charset=utf-8", b"not from Twilio")


def test_a_chunked_body_past_the_limit_is_refused_unread_both_ways(app):
    body, headers = signed("/twilio/voice", start("CA" + "c" * 32))

    def chunks():
        yield body
        for _ in range(70):
            yield b"&x=" + b"1" * 1024

    answers = both_ways(app, "/twilio/voice", chunks, headers)
    assert answers[0] == answers[1]
    assert answers[0][0] == 413


def test_a_background_task_that_fails_after_the_reply_is_logged_and_goes_on_to_the_server_both_ways(
        app, monkeypatch, caplog):
    from starlette.background import BackgroundTask

    from webhooks import voice

    def failing_after(request, result):
        response = voice.twiml(result.body)
        response.background = BackgroundTask(lambda: 1 / 0)
        return response

    monkeypatch.setattr(voice, "_respond", failing_after)
    for raise_server_exceptions in (False, True):
        caplog.clear()
        body, headers = signed("/twilio/voice", start(f"CA{int(raise_server_exceptions)}" + "d" * 31))
        answers = both_ways(app, "/twilio/voice", body, headers, raise_server_exceptions=raise_server_exceptions)
        if raise_server_exceptions:
            assert answers == [(ZeroDivisionError, "division by zero")] * 2
        else:
            # The reply was sent before the task ran: the caller has it, both ways alike (a retry of the
            # first request the second time: the stored reply again).
            assert answers[0] == answers[1] and answers[0][0] == 200 and b"<Gather" in answers[0][2]
        assert [r.getMessage() for r in caplog.records].count("unhandled error on /twilio/voice") == 2
    # What the server is sent: one reply, never a second one after it; then the error.
    lane = app.call_lane
    for app.call_lane in (lane, None):
        body, headers = signed("/twilio/voice", start("CA" + "e" * 32))
        sent, raised = asgi_post(app, "/twilio/voice", body, headers)
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
        assert sent[0]["status"] == 200 and isinstance(raised, ZeroDivisionError)


def asgi_post(app, path: str, body: bytes, headers: dict) -> tuple[list[dict], BaseException | None]:
    """One request straight into the ASGI app, as a server would send it: every message the app sends
    back, and what it raised. (TestClient forgives a second response; a server does not.)"""
    import asyncio

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "https", "server": ("frontdoor.example.com", 443), "client": ("127.0.0.1", 5000),
             "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, "Host": "frontdoor.example.com",
                                                                        "Content-Length": str(len(body))}.items()],
             "state": {}}
    sent: list[dict] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def run():
        try:
            await app(scope, receive, send)
        except Exception as exc:  # noqa: BLE001 - what reached the server
            return exc
        return None

    return sent, asyncio.run(run())


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
