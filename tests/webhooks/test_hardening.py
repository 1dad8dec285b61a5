"""What the server shows and believes about itself and its clients: no API docs unless debugging, no
Server header naming the stack, forwarded addresses believed only from the proxies in
FORWARDED_ALLOW_IPS, and odd input (a recording 20 digits long, JSON nested 3,000 deep) answered as
a user would expect (TwiML or a 4xx), never a plain-text 5xx."""
from __future__ import annotations

import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.store.db import transaction
from bot.store.models import Conversation, Voicemail
from bot.verification.velocity import client_origin
from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, TOKEN, make_settings


def app_with(url, **overrides):
    from webhooks.app import create_app

    return create_app(make_settings(url, **overrides))


# -- API docs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"])
def test_api_docs_are_not_served(http, path):
    assert http.get(path).status_code == 404


def test_debug_serves_the_api_description_but_no_page_that_loads_from_a_cdn(sqlite_url):
    with TestClient(app_with(sqlite_url, debug=True), base_url=BASE_URL) as client:
        assert client.get("/openapi.json").json()["info"]["title"] == "Verification front door"
        assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


# -- the Server header -------------------------------------------------------------------------------

def test_bot_serve_sends_no_server_header(cli_env, monkeypatch):
    """`bot serve` as it runs: its uvicorn settings, on a real socket."""
    import uvicorn
    from typer.testing import CliRunner

    from bot.cli import app as cli

    captured = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kwargs: captured.update(app=application, **kwargs))
    # The serving process settles its heap (bot.heap) before it serves; not this test process.
    monkeypatch.setattr(sys.modules["bot.cli.serve"], "settle_for_serving", lambda: captured.update(settled=True))
    from bot.store.migrate import upgrade

    upgrade(cli_env)
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    application = captured.pop("app")
    assert captured.pop("settled") is True
    assert captured["server_header"] is False and captured["proxy_headers"] is False
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    captured.update(host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(application, **captured))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert response.status_code == 200
    assert "server" not in response.headers and "x-powered-by" not in response.headers


# -- forwarded addresses -----------------------------------------------------------------------------

def origins(url) -> list[str]:
    with transaction(url) as session:
        return list(session.scalars(select(Conversation.origin).order_by(Conversation.started_at)))


def test_forwarded_addresses_are_ignored_from_a_client_that_is_not_a_listed_proxy(sqlite_url):
    app = app_with(sqlite_url, forwarded_allow_ips="10.0.0.2")
    with TestClient(app, base_url=BASE_URL, client=("198.51.100.7", 40000)) as client:
        for spoofed in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            assert client.post("/chat/sessions", headers={"X-Forwarded-For": spoofed}).status_code == 201
    assert origins(sqlite_url) == [client_origin("198.51.100.7")] * 3


def test_a_listed_proxy_gives_the_client_address_it_saw_not_one_the_client_wrote(sqlite_url):
    app = app_with(sqlite_url, forwarded_allow_ips="10.0.0.2, 10.0.1.0/24")
    with TestClient(app, base_url=BASE_URL, client=("10.0.0.2", 40000)) as client:
        client.post("/chat/sessions", headers={"X-Forwarded-For": "203.0.113.1"})
        # The client wrote its own X-Forwarded-For; the proxy appended the address it really came from.
        client.post("/chat/sessions", headers={"X-Forwarded-For": "192.0.2.66, 203.0.113.2"})
        client.post("/chat/sessions", headers={"X-Forwarded-For": "192.0.2.66, 203.0.113.2, 10.0.1.9"})
    assert origins(sqlite_url) == [client_origin("203.0.113.1"), client_origin("203.0.113.2"),
                                   client_origin("203.0.113.2")]


def test_spoofed_forwarded_addresses_cannot_spread_failures_over_many_origins(sqlite_url, bundle):
    """The lockout attack of the issue: wrong details from 'many' addresses all count against the one that sent them."""
    from bot.customers.importer import import_customers
    from tests.conftest import DEMO_CSV

    with transaction(sqlite_url) as session:
        import_customers(session, DEMO_CSV, schemes=bundle.schemes, region="GB")
    app = app_with(sqlite_url)  # FORWARDED_ALLOW_IPS: 127.0.0.1 only
    with TestClient(app, base_url=BASE_URL, client=("198.51.100.7", 40000)) as client:
        for i in range(3):
            chat = WebChat(client)
            chat.http = _Forwarding(client, f"203.0.113.{i}")
            chat.open()
            for text in ("1023456781", "01/01/1970", "SW1A 1AA"):
                chat.send(text)
    assert set(origins(sqlite_url)) == {client_origin("198.51.100.7")}


class _Forwarding:
    def __init__(self, client, address):
        self.client, self.address = client, address

    def post(self, url, headers=None, **kwargs):
        return self.client.post(url, headers={**(headers or {}), "X-Forwarded-For": self.address}, **kwargs)


# -- odd input ---------------------------------------------------------------------------------------

def signed_post(http, path, params):
    signature = RequestValidator(TOKEN).compute_signature(BASE_URL + path, params)
    return http.post(BASE_URL + path, data=params, headers={"X-Twilio-Signature": signature})


@pytest.mark.parametrize("duration", ["99999999999999999999", "-5", "1e9", "12.5", "4000000"])
def test_an_absurd_recording_duration_still_gets_twiml_and_the_voicemail_is_kept(phone, http, customers, duration):
    call = phone().dial()
    response = signed_post(http, "/twilio/voice/voicemail", {
        "CallSid": call.call_sid, "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
        "RecordingDuration": duration})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    assert ET.fromstring(response.text).find("Hangup") is not None
    with transaction(customers) as session:
        voicemail = session.scalars(select(Voicemail)).one()
    assert voicemail.duration_seconds is None  # not a duration a recording can have


def test_a_chat_body_nested_three_thousand_deep_is_a_clear_422(http):
    chat = WebChat(http).open()
    for body in ('{"text": ' + "[" * 3000 + "]" * 3000 + "}", "[" * 3000 + "]" * 3000):
        response = chat.post(None, content=body.encode(), headers={"Content-Type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert "text" in response.json()["detail"]


def test_an_unexpected_failure_on_a_twilio_route_answers_twiml_that_reaches_a_person(customers, monkeypatch):
    app = app_with(customers)

    def broken(*args, **kwargs):
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(app.state.conversations, "hang_up", broken)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        response = signed_post(client, "/twilio/voice/status", {"CallSid": "CA" + "1" * 32, "CallStatus": "completed"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
        assert "temporarily unavailable" not in response.text
        chat = client.post("/chat/sessions/" + "0" * 32 + "/messages", json={"text": "hi"},
                           headers={"Authorization": "Bearer x"})
        assert chat.status_code == 401
