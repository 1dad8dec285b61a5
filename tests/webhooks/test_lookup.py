"""Self-service after verification: a `lookup` step posts the verified context, signed like desk
handoffs, to a local business endpoint and says the templated answer; a timeout, an error or a missing
field falls back to the account team. Voice and web chat, SQLite and PostgreSQL."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, TOKEN, make_settings
from tests.self_service_backend import SelfServiceBackend
from tests.twilio_phone import TwilioPhone

SECRET = "self-service-secret-0123456789"


@pytest.fixture
def backend():
    running = SelfServiceBackend(SECRET).start()
    yield running
    running.stop()


@pytest.fixture
def with_self_service(customers, backend):
    from webhooks.app import create_app

    app = create_app(make_settings(customers, self_service_url=backend.url, self_service_secret=SECRET,
                                   self_service_timeout_seconds=1))
    with TestClient(app, base_url=BASE_URL) as http:
        yield http


@pytest.fixture
def caller(with_self_service):
    return lambda: TwilioPhone(with_self_service, token=TOKEN, base_url=BASE_URL)


def verified(call: TwilioPhone) -> TwilioPhone:
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    return call


def test_the_menu_offers_the_balance_only_when_self_service_is_set(phone, caller):
    assert "press 5" not in verified(phone().dial()).last
    assert "To hear your balance, press 5 or say balance." in verified(caller().dial()).last


def test_the_balance_is_looked_up_with_the_verified_context_and_said(caller, backend):
    call = verified(caller().dial())
    call.press("5")
    assert call.last.startswith("Your balance is £1,234.56, as of 30 November.")
    assert "Which team would you like?" in call.last  # back to the menu, still verified
    (request,) = backend.received
    assert request.signed
    body = request.body
    assert (body["type"], body["request"], body["fields"]) == ("self_service.lookup", "balance", ["as_of", "balance"])
    context = body["context"]
    assert context["customer_number"] == "1023456781" and context["verified"] is True
    assert context["factors"] == ["date_of_birth", "postcode"] and context["segment"] == "personal"
    assert context["channel"] == "voice" and context["call_sid"] == call.call_sid
    assert request.headers["X-FrontDoor-Request"] == body["request_id"]
    call.press("1")
    assert call.task["verified"] is True


def test_a_spanish_caller_hears_the_answer_in_spanish(caller):
    call = caller().dial()
    call.press("9", early=True)
    verified(call).say("saldo")
    assert call.last.startswith("Su saldo es de £1,234.56, a fecha de 30 November.")


def test_web_chat_writes_the_answer(with_self_service, backend):
    chat = WebChat(with_self_service).open()
    for text in ("1023456781", "03/03/1985", "SW1A 1AA"):
        chat.send(text)
    assert "5: your balance" in chat.last
    chat.send("what's my balance")
    assert chat.last.startswith("Your balance is £1,234.56, as of 30 November.")
    assert backend.received[0].body["context"]["channel"] == "web"


@pytest.mark.parametrize("plan, expected", [
    ({"delay_seconds": 2.5}, "timeout"),
    ({"status": 500}, "HTTP 500"),
    ({"answer": {"balance": "£12.00"}}, "missing: as_of"),
    ({"answer": "not json"}, "answer is not JSON"),
])
def test_a_timeout_an_error_or_a_missing_field_falls_back_to_the_account_team(caller, backend, database_url,
                                                                              plan, expected):
    from sqlalchemy import select

    from bot.store.db import transaction
    from bot.store.models import Event

    for name, value in plan.items():
        setattr(backend, name, value)
    call = verified(caller().dial())
    started = time.monotonic()
    call.press("5")
    elapsed = time.monotonic() - started
    assert call.last == "Sorry, I can't look that up just now. I'll put you through to your account team."
    assert call.last.count("account team") == 1
    assert call.task["department"] == "personal" and call.task["verified"] is True
    assert call.task["reason"] == "self-service-unavailable"  # the agent sees why the caller is with them
    assert elapsed < 2.5  # the caller waits at most the configured second, never the backend's delay
    with transaction(database_url) as session:
        details = [e.detail for e in session.scalars(select(Event).where(Event.outcome == "lookup"))]
    assert len(details) == 1 and expected in details[0]
