"""A chat handoff reaches the agent desk (a real local receiver) with the context and a transcript that
never shows a verification answer; when the desk is down the customer is still told and nothing is lost."""
from __future__ import annotations

import re

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.chat.transcript import WITHHELD
from bot.store.db import transaction
from bot.store.models import ChatMessage, DeskDelivery
from tests.chat.desk_receiver import DeskReceiver, closed_port_url
from tests.chat_clients import Texter, WebChat
from tests.conftest import BASE_URL, TOKEN, make_settings

SECRET = "desk-secret-0123456789abcdef"
# Carol's answers (the prompts' own example date is Alice's birthday, so Carol keeps this test honest).
CAROL = {"number": "3011122238", "dob": "14/07/1990", "postcode": "M1 1AE"}
ANSWERS = ("1990", "July", "11/07", "14/07", "M1 1AE", "m1 1ae", "1AE", "1ae")


@pytest.fixture
def receiver():
    server = DeskReceiver(SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def desk_client(customers):
    opened: list[TestClient] = []

    def make(desk_url: str, **overrides) -> TestClient:
        from webhooks.app import create_app

        settings = make_settings(customers, agent_desk_url=desk_url, agent_desk_secret=SECRET,
                                 agent_desk_backoff_seconds=0.01, **overrides)
        client = TestClient(create_app(settings), base_url=BASE_URL)
        opened.append(client.__enter__())
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def test_a_web_handoff_is_delivered_with_context_and_a_withheld_transcript(desk_client, receiver, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    chat = WebChat(desk_client(receiver.url)).open()
    chat.send(CAROL["number"])
    chat.send("11/07/1990")  # day or month first? read back for a yes/no
    assert "11 July 1990" in chat.last and "yes or no" in chat.last
    chat.send("no")
    chat.send(CAROL["dob"])
    chat.send(CAROL["postcode"].lower())
    chat.send("1")
    assert chat.ended and "connecting you" in chat.last
    # The TestClient runs the response's background task (the delivery) before returning.
    [post] = receiver.received
    assert post.signed
    payload = post.json
    assert payload["type"] == "chat.handoff" and payload["channel"] == "web"
    assert payload["context"] == chat.handoff
    assert payload["department"] == "billing" and payload["target"] == {"kind": "queue", "address": "billing"}
    assert payload["reply_to"] == {"session_id": chat.session_id}
    transcript = payload["transcript"]
    said = [(m["from"], m["text"]) for m in transcript]
    assert said[0][0] == "bot" and "Welcome to Northwind" in said[0][1]
    assert ("customer", CAROL["number"]) in said  # the customer number may appear
    assert said.count(("customer", WITHHELD)) == 4  # the dates, the "no" to the read-back, the postcode
    assert ("bot", WITHHELD) in said  # "Is your date of birth 11 July 1990?"
    assert said[-2] == ("customer", "1") and "connecting you" in said[-1][1]
    for answer in ANSWERS:
        # As a value of its own: a random delivery id may hold "1ae" among its hex digits.
        found = re.compile(rf"(?<![0-9a-f]){re.escape(answer)}(?![0-9a-f])", re.IGNORECASE)
        assert not found.search(post.body.decode()), answer
        assert not found.search(caplog.text), answer
    with transaction(database_url) as session:
        stored = " ".join(session.scalars(select(ChatMessage.text)))
        delivery = session.scalar(select(DeskDelivery))
    assert not any(answer in stored for answer in ANSWERS)  # withheld in the store too, not only in the post
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_an_sms_handoff_is_delivered_with_where_to_reply(desk_client, receiver):
    http = desk_client(receiver.url)
    phone = Texter(http, token=TOKEN, base_url=BASE_URL, from_="whatsapp:+447700900123", to="whatsapp:+14155238886")
    for text in ("Hello", "1023456781", "3 March 1985", "SW1A 1AA", "cards"):
        phone.text(text)
    assert "connecting you" in phone.last
    [post] = receiver.received
    assert post.signed and post.json["channel"] == "whatsapp"
    assert post.json["context"]["channel"] == "whatsapp" and post.json["context"]["department"] == "cards"
    assert post.json["reply_to"] == {"address": "whatsapp:+447700900123", "from": "whatsapp:+14155238886"}
    assert [m["text"] for m in post.json["transcript"] if m["from"] == "customer"] == \
           ["Hello", "1023456781", WITHHELD, WITHHELD, "cards"]


def test_when_the_desk_is_down_the_customer_is_still_told_and_a_dead_letter_is_kept(desk_client, database_url):
    chat = WebChat(desk_client(closed_port_url(), agent_desk_attempts=3)).open()
    for text in ("1023456781", "03/03/1985", "SW1A 1AA", "2"):
        chat.send(text)
    assert chat.ended and "connecting you" in chat.last and chat.handoff["department"] == "cards"
    with transaction(database_url) as session:
        delivery = session.scalar(select(DeskDelivery))
    assert delivery.status == "dead" and delivery.attempts == 3 and delivery.last_error.startswith("unreachable")
    assert '"department":"cards"' in delivery.payload  # kept whole, ready to resend


def test_a_handoff_after_a_desk_outage_is_resent(desk_client, receiver, database_url):
    from bot.chat.desk import AgentDesk

    chat = WebChat(desk_client(closed_port_url(), agent_desk_attempts=1)).open()
    for text in ("1023456781", "03/03/1985", "SW1A 1AA", "3"):
        chat.send(text)
    assert receiver.received == []
    agent = AgentDesk(database_url, url=receiver.url, secret=SECRET)
    assert list(agent.resend().values()) == ["delivered"]
    assert receiver.received[0].json["context"] == chat.handoff
