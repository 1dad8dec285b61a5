"""A console on the seeded database, two accounts (an admin and a supervisor), and a signed-in client."""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from bot.console import users
from bot.store.db import transaction
from tests.conftest import BASE_URL, make_settings
from tests.console.html import hidden
from tests.reporting.conftest import ab_seeded, seeded  # noqa: F401 - fixtures shared with the reporting tests

PASSWORDS = {"ada": "correct horse battery", "sam": "tulip marble lantern"}
# The seed's last day, mid-afternoon: "today" and "last 7 days" then cover the seeded conversations.
NOW = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def add_accounts(url: str) -> None:
    with transaction(url) as session:
        users.add(session, username="ada", role="admin", password=PASSWORDS["ada"], by="test")
        users.add(session, username="sam", role="supervisor", password=PASSWORDS["sam"], by="test")


def console_app(url: str, **settings):
    from webhooks.app import create_app

    app = create_app(make_settings(url, **settings))
    app.state.console_clock = Clock(NOW)
    return app


def sign_in(client: TestClient, username: str, password: str | None = None, *, address_note: str = ""):
    page = client.get("/console/login")
    assert page.status_code == 200
    return client.post("/console/login", data={"username": username, "password": password or PASSWORDS[username],
                                               "csrf_token": hidden(page.text, "csrf_token"), "next": ""},
                       follow_redirects=False)


@pytest.fixture
def console(seeded):
    url, _ = seeded
    add_accounts(url)
    app = console_app(url)
    with TestClient(app, base_url=BASE_URL) as client:
        client.app_state = app.state
        yield client


@pytest.fixture
def admin(console):
    assert sign_in(console, "ada").status_code == 303
    return console


@pytest.fixture
def supervisor(console):
    assert sign_in(console, "sam").status_code == 303
    return console


def csrf(client: TestClient, path: str = "/console/overview") -> str:
    return hidden(client.get(path).text, "csrf_token")
