"""Fixtures for verification tests: a fake Twilio Verify on 127.0.0.1, an app whose flows need it,
and a guard that fails any test whose HTTP traffic would leave this machine."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from bot.verification.one_time_codes import TwilioVerify
from tests.conftest import BASE_URL, TOKEN, make_settings, phones
from tests.fake_verify import ACCOUNT_SID, SERVICE_SID, FakeVerify, FakeVerifyServer
from tests.verification import variants


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    real_send = requests.Session.send

    def send(self, request, **kwargs):
        host = urlsplit(request.url).hostname
        if host not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"a test tried to reach {host}: never contact Twilio")
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)


@pytest.fixture
def verify_server():
    # The app's Twilio credentials are the test token: the fake checks the client sends them.
    with FakeVerifyServer(FakeVerify(auth_token=TOKEN)) as server:
        yield server


def verify_settings(database_url, flows_dir, **overrides):
    return make_settings(database_url, flows_dir=flows_dir, twilio_account_sid=ACCOUNT_SID,
                         twilio_verify_service_sid=SERVICE_SID, **overrides)


def make_app(settings, verify_server):
    from webhooks.app import create_app

    app = create_app(settings)
    # The real client, redirected to the fake server.
    app.state.conversations.otp = TwilioVerify.from_settings(settings, http_client=verify_server.http_client())
    return app


@pytest.fixture
def flows_dir(tmp_path):
    """Override per module or test with the texts it needs; the default: billing needs a one-time code."""
    return variants.write(tmp_path / "flows", variants.step_up())


@pytest.fixture
def verify_app(customers, flows_dir, verify_server):
    return make_app(verify_settings(customers, flows_dir), verify_server)


@pytest.fixture
def verify_http(verify_app):
    from fastapi.testclient import TestClient

    with TestClient(verify_app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def verify_phone(verify_http):
    return phones(verify_http)


@pytest.fixture
def app_for(customers, tmp_path, verify_server):
    """A phone and a web chat on an app running `texts` (flow files), on the `customers` database."""
    from fastapi.testclient import TestClient

    from tests.chat_clients import WebChat
    from tests.twilio_phone import TwilioPhone

    clients = []

    def make(texts, **overrides):
        directory = variants.write(tmp_path / f"flows{len(clients)}", texts)
        client = TestClient(make_app(verify_settings(customers, directory, **overrides), verify_server), base_url=BASE_URL)
        clients.append(client.__enter__())

        def phone(**kwargs) -> TwilioPhone:
            return TwilioPhone(client, token=TOKEN, base_url=BASE_URL, **kwargs)

        return phone, (lambda: WebChat(client).open())

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client_for(customers, tmp_path, verify_server):
    """A test client of an app running `texts` (flow files) with Verify, on the `customers` database."""
    from fastapi.testclient import TestClient

    clients = []

    def make(texts, **overrides) -> TestClient:
        directory = variants.write(tmp_path / f"client-flows{len(clients)}", texts)
        client = TestClient(make_app(verify_settings(customers, directory, **overrides), verify_server), base_url=BASE_URL)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
