"""SMS and WhatsApp end to end: signed posts to /twilio/messaging, <Message> replies, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from bot.store.db import transaction
from bot.store.models import ChatThread, Conversation, DeskDelivery, Event
from tests.chat_clients import Texter
from tests.conftest import BASE_URL, TOKEN

ALICE = {"number": "1023456781", "dob": "3 March 1985", "postcode": "SW1A 1AA"}
VOICE_WORDS = ("press", "keypad", "hash", "key in", "hear")


@pytest.fixture
def texter(http):
    def make(**kwargs) -> Texter:
        return Texter(http, token=TOKEN, base_url=BASE_URL, **kwargs)

    return make


def conversations(url) -> list[Conversation]:
    with transaction(url) as session:
        return list(session.scalars(select(Conversation).order_by(Conversation.started_at, Conversation.id)))


def payloads(url) -> list[dict]:
    with transaction(url) as session:
        return [json.loads(d.payload) for d in session.scalars(select(DeskDelivery).order_by(DeskDelivery.created_at))]


def verify(phone: Texter, dob=ALICE["dob"]) -> Texter:
    phone.text(ALICE["number"])
    phone.text(dob)
    phone.text(ALICE["postcode"])
    return phone


@pytest.mark.parametrize("from_, to, channel", [
    ("+447700900123", "+442071230000", "sms"),
    ("whatsapp:+447700900123", "whatsapp:+14155238886", "whatsapp"),
])
def test_a_texted_conversation_verifies_and_hands_over(texter, database_url, from_, to, channel):
    phone = texter(from_=from_, to=to)
    phone.text("Hi")
    assert len(phone.replies[-1]) == 1  # one <Message>
    assert "Welcome to Northwind" in phone.last and "type your customer number" in phone.last
    phone.text("1023 4567 81")
    assert "date of birth" in phone.last
    phone.text("3/3/1985")
    assert "postcode" in phone.last
    phone.text("sw1a 1aa")
    assert "you're verified" in phone.last
    assert "\n1: billing and payments\n2: cards\n" in phone.last  # one option to a line
    assert not any(word in " ".join(sum(phone.replies, [])).lower() for word in VOICE_WORDS)
    phone.text("1")
    assert "connecting you with a colleague" in phone.last
    [row] = conversations(database_url)
    assert row.channel == channel and row.caller == from_
    assert row.status == "closed" and row.end_reason == "handoff"
    [payload] = payloads(database_url)
    context = payload["context"]
    assert context["channel"] == channel and context["verified"] is True and context["department"] == "billing"
    assert context["call_sid"] is None
    assert payload["reply_to"] == {"address": from_, "from": to}


def test_each_pair_of_addresses_is_its_own_conversation(texter, database_url):
    alice, bob = texter(from_="+447700900123"), texter(from_="+447700900456")
    alice.text("Hi")
    bob.text("Hi")
    alice.text(ALICE["number"])
    assert "date of birth" in alice.last
    bob.text("hello?")
    assert "customer number" in bob.last  # Bob's conversation has not moved on with Alice's
    other_number = texter(from_="+447700900123", to="+442071239999").text("Hi")
    assert "Welcome" in other_number.last
    assert len(conversations(database_url)) == 3


def back_date(url, minutes):
    with transaction(url) as session:
        session.execute(update(ChatThread).values(
            last_seen_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)))


def test_an_idle_conversation_expires_and_the_next_text_starts_again(texter, database_url):
    phone = texter()
    phone.text("Hi").text(ALICE["number"])
    back_date(database_url, 14)
    phone.text("03/03/1985")
    assert "postcode" in phone.last  # still the same conversation inside 15 minutes
    back_date(database_url, 16)
    phone.text(ALICE["postcode"])
    assert "Welcome to Northwind" in phone.last  # the late answer is not used: a new conversation
    old, new = conversations(database_url)
    assert old.status == "closed" and old.end_reason == "expired" and old.hung_up_at_step == "postcode"
    assert new.status == "active" and new.step == "customer_number"
    with transaction(database_url) as session:
        assert session.scalars(select(Event.outcome).where(Event.conversation_id == old.id)
                               .order_by(Event.id.desc())).first() == "expired"


def test_after_a_handoff_the_next_text_starts_a_new_conversation(texter, database_url):
    phone = verify(texter().text("Hi"))
    phone.text("cards")
    assert "connecting you" in phone.last
    phone.text("Hello again")
    assert "Welcome to Northwind" in phone.last
    assert [c.status for c in conversations(database_url)] == ["closed", "active"]


def test_a_redelivered_message_gets_the_same_reply_and_counts_once(texter, database_url):
    phone = texter().text("Hi")
    phone.text(ALICE["number"], message_sid="SM" + "1" * 32)
    first = phone.responses[-1].text
    phone.text(ALICE["number"], message_sid="SM" + "1" * 32)  # Twilio retries the same message
    assert phone.responses[-1].text == first
    [row] = conversations(database_url)
    with transaction(database_url) as session:
        outcomes = session.scalars(select(Event.outcome).where(Event.conversation_id == row.id)).all()
    assert outcomes.count("matched") == 1 and row.step == "date_of_birth"


def test_forged_or_unsigned_messages_are_refused_and_write_nothing(texter, database_url):
    forged = texter()
    forged.token = "not-the-token"
    assert forged.post("Hi").status_code == 403
    assert texter(sign=False).post("Hi").status_code == 403
    with transaction(database_url) as session:
        assert session.scalars(select(ChatThread)).all() == []
    assert conversations(database_url) == []


def test_bad_requests_get_clear_4xx(texter, http):
    phone = texter()
    too_long = phone.post("x" * 1601)
    assert too_long.status_code == 413 and "1600" in too_long.json()["detail"]
    no_sender = phone.post("Hi", From="")
    assert no_sender.status_code == 400 and "From" in no_sender.json()["detail"]
    odd = texter(from_="+447700900999").text("\x00\x07 hi 🙂")
    assert "Welcome" in odd.last


def test_a_picture_without_text_gets_the_written_no_reply_wording(texter):
    phone = texter().text("Hi")
    phone.text("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
    assert "didn't get a reply" in phone.last and "type your customer number" in phone.last


def test_failed_calls_and_a_failed_text_lock_the_number(texter, phone):
    call = phone().dial()
    for _ in range(2):
        call.press(ALICE["number"] + "#")
        call.press("01011970")
        call.say(ALICE["postcode"])
    assert call.task["locked"] is False
    text = verify(texter().text("Hi"), dob="1 January 1970")
    assert "For your security" in text.last and "connecting you with a colleague" in text.last
    again = texter(from_="+447700900777").text("Hi").text(ALICE["number"])
    assert "For your security" in again.last


def test_two_first_messages_at_once_share_one_conversation(texter, database_url):
    import threading

    phone = texter(from_="+447700900888")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(body):
        barrier.wait()
        statuses.append(phone.post(body).status_code)

    threads = [threading.Thread(target=send, args=(body,)) for body in ("Hi", "Hello")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200, 200]
    with transaction(database_url) as session:
        assert len(session.scalars(select(ChatThread)).all()) == 1
    assert len(conversations(database_url)) == 1
    texts = [r.text for r in phone.responses]
    # One request starts the conversation; the other is answered in it (as a reply, or the greeting again).
    assert any("Welcome to Northwind" in t for t in texts) and not any("went wrong" in t for t in texts), texts
