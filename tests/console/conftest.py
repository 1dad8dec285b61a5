"""A console on the seeded database, two accounts (an admin and a supervisor), and a signed-in client."""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from bot.console import users
from bot.store.db import transaction
from tests.conftest import BASE_URL, FLOWS, make_settings
from tests.console.html import hidden
from tests.reporting.conftest import ab_seeded, recovery_seeded, seeded  # noqa: F401 - fixtures shared with the reporting tests

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


# --- Flows and Try it: a copy of flows/ as FLOWS_DIR, live from the first start ---

POSTCODE_BEFORE = "And please say your postcode, or key in your five-digit ZIP code."
POSTCODE_AFTER = "Last question: what is your postcode?"
# The shipped conversation tests, as publishing reports them ("16 passed").
SHIPPED_TESTS = len(list((FLOWS / "tests").glob("*.yaml")))
FAIL_WORDING = ("don't match our records", "do not agree with our files")  # breaks the shipped conversation tests


def edit(folder, old: str, new: str, name: str = "default.yaml") -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new))


@pytest.fixture
def draft(tmp_path):
    """FLOWS_DIR on the server: a copy of the shipped flows a supervisor edits."""
    import shutil

    from tests.conftest import FLOWS

    copy = tmp_path / "draft-flows"
    shutil.copytree(FLOWS, copy)
    return copy


@pytest.fixture
def flows_console(customers, draft):
    """A console whose FLOWS_DIR is `draft` (published on this first start), with the two accounts."""
    add_accounts(customers)
    app = console_app(customers, flows_dir=draft)
    with TestClient(app, base_url=BASE_URL) as client:
        client.app_state = app.state
        client.database_url = customers
        yield client


@pytest.fixture
def sam(flows_console):
    assert sign_in(flows_console, "sam").status_code == 303
    return flows_console


def live_call(client):
    """A phone calling the console's own app, as Twilio does."""
    from tests.conftest import TOKEN
    from tests.twilio_phone import TwilioPhone

    return TwilioPhone(client, token=TOKEN, base_url=BASE_URL).dial()
