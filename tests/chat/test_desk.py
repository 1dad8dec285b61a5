"""Agent-desk delivery against a real local receiver: signature, back-off, the desk refusing, the desk down."""
from __future__ import annotations

import json
import time

import pytest

from bot.chat import desk
from bot.chat.desk import AgentDesk
from bot.store.db import transaction
from bot.store.models import DeskDelivery, utcnow
from tests.chat.desk_receiver import DeskReceiver, closed_port_url

SECRET = "desk-secret-0123456789abcdef"
PAYLOAD = {"type": "chat.handoff", "conversation_id": "c" * 32, "channel": "web",
           "context": {"customer_number": "1023456781", "verified": True}, "transcript": []}


@pytest.fixture
def receiver():
    server = DeskReceiver(SECRET).start()
    yield server
    server.stop()


def queued(url, *, configured=True) -> str:
    with transaction(url) as session:
        return desk.enqueue(session, conversation_id="c" * 32, payload=PAYLOAD, configured=configured, now=utcnow()).id


def row(url, delivery_id) -> DeskDelivery:
    with transaction(url) as session:
        return session.get(DeskDelivery, delivery_id)


def make_desk(url, desk_url, **kwargs) -> AgentDesk:
    kwargs.setdefault("backoff_seconds", 0.01)
    return AgentDesk(url, url=desk_url, secret=SECRET, timeout_seconds=2, **kwargs)


def test_a_handoff_is_posted_once_signed_and_marked_delivered(sqlite_url, receiver):
    delivery_id = queued(sqlite_url)
    assert make_desk(sqlite_url, receiver.url).deliver(delivery_id) == "delivered"
    [post] = receiver.received
    assert post.signed
    assert post.headers[desk.DELIVERY_HEADER] == delivery_id
    assert post.headers["Content-Type"] == "application/json"
    assert post.json == {**PAYLOAD, "delivery_id": delivery_id}
    assert post.body.decode() == row(sqlite_url, delivery_id).payload  # exactly the stored bytes
    stored = row(sqlite_url, delivery_id)
    assert stored.status == "delivered" and stored.attempts == 1 and stored.delivered_at is not None
    assert make_desk(sqlite_url, receiver.url).deliver(delivery_id) == "delivered"
    assert len(receiver.received) == 1  # delivered is final: never posted twice


def test_failures_are_retried_with_growing_back_off(sqlite_url, receiver):
    receiver.plan = [503, 500, 429]
    waits: list[float] = []
    agent = make_desk(sqlite_url, receiver.url, attempts=5, backoff_seconds=0.5, sleep=waits.append)
    delivery_id = queued(sqlite_url)
    assert agent.deliver(delivery_id) == "delivered"
    assert waits == [0.5, 1.0, 2.0]
    assert len(receiver.received) == 4 and all(p.signed for p in receiver.received)
    assert len({p.body for p in receiver.received}) == 1  # every retry sends the same body
    assert row(sqlite_url, delivery_id).attempts == 4


def test_a_desk_that_stays_down_leaves_a_dead_letter(database_url):
    delivery_id = queued(database_url)
    started = time.monotonic()
    status = make_desk(database_url, closed_port_url(), attempts=3, backoff_seconds=0.05).deliver(delivery_id)
    assert status == "dead"
    assert time.monotonic() - started >= 0.05 + 0.1  # it really waited between attempts
    dead = row(database_url, delivery_id)
    assert dead.status == "dead" and dead.attempts == 3
    assert dead.last_error.startswith("unreachable") and json.loads(dead.payload)["context"] == PAYLOAD["context"]


def test_a_dead_letter_is_sent_when_the_desk_is_back(database_url, receiver):
    delivery_id = queued(database_url)
    assert make_desk(database_url, closed_port_url(), attempts=2).deliver(delivery_id) == "dead"
    results = make_desk(database_url, receiver.url).resend()
    assert results == {delivery_id: "delivered"}
    assert [p.json["delivery_id"] for p in receiver.received] == [delivery_id]
    assert make_desk(database_url, receiver.url).resend() == {}  # nothing left to send


def test_a_refusal_is_not_retried(sqlite_url):
    wrong_secret = DeskReceiver("a-different-secret-for-the-desk").start()
    try:
        delivery_id = queued(sqlite_url)
        assert make_desk(sqlite_url, wrong_secret.url, attempts=5).deliver(delivery_id) == "dead"
    finally:
        wrong_secret.stop()
    assert len(wrong_secret.received) == 1 and not wrong_secret.received[0].signed
    assert row(sqlite_url, delivery_id).last_error == "HTTP 401"


def test_without_a_desk_url_handoffs_are_kept_as_dead_letters(sqlite_url):
    delivery_id = queued(sqlite_url, configured=False)
    assert AgentDesk(sqlite_url, url=None, secret=None).deliver(delivery_id) == "dead"
    assert row(sqlite_url, delivery_id).last_error == "AGENT_DESK_URL is not set"


def test_the_signature_covers_timestamp_and_body():
    body, now = b'{"a":1}', 1_800_000_000
    signature = desk.sign(SECRET, str(now), body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert desk.verify(SECRET, timestamp=str(now), body=body, signature=signature, now=now)
    assert not desk.verify(SECRET, timestamp=str(now), body=b'{"a":2}', signature=signature, now=now)
    assert not desk.verify("another-secret", timestamp=str(now), body=body, signature=signature, now=now)
    assert not desk.verify(SECRET, timestamp=str(now + 1), body=body, signature=signature, now=now)
    assert not desk.verify(SECRET, timestamp=str(now), body=body, signature=signature, now=now + 301)  # a replay
    assert not desk.verify(SECRET, timestamp="soon", body=body, signature=signature, now=now)


def test_settings_refuse_a_desk_without_a_secret():
    from pydantic import ValidationError

    from bot.settings import Settings

    with pytest.raises(ValidationError, match="AGENT_DESK_SECRET"):
        Settings(_env_file=None, agent_desk_url="https://desk.example.com/hook")
    with pytest.raises(ValidationError, match="AGENT_DESK_URL"):
        Settings(_env_file=None, agent_desk_url="desk.example.com", agent_desk_secret=SECRET)
    assert Settings(_env_file=None, agent_desk_url=" ", agent_desk_secret="").agent_desk_url is None


def test_backoff_is_capped():
    agent = AgentDesk("sqlite://", url=None, secret=None, backoff_seconds=10)
    assert [agent.backoff(n) for n in (1, 2, 3)] == [10, 20, 40]
    assert agent.backoff(30) == desk.MAX_BACKOFF_SECONDS


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_delivery_with_a_clear_error_never_followed(sqlite_url, receiver, status):
    receiver.plan = [status]
    delivery_id = queued(sqlite_url)
    assert make_desk(sqlite_url, receiver.url).deliver(delivery_id) == "dead"
    assert len(receiver.received) == 1 and receiver.others == []  # the POST was not turned into a GET
    delivery = row(sqlite_url, delivery_id)
    assert delivery.status == "dead" and delivery.attempts == 1
    assert delivery.last_error == (f"HTTP {status}: the desk redirected to /moved-handoffs; redirects are not "
                                   "followed, set AGENT_DESK_URL to the address that takes the post")
