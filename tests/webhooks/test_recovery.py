""""I don't know my number": recovered by keypad and speech on voice, and by text on SMS and web chat;
with a caller ID on file, without one, with details that match nobody (the same words, nothing sent)
and with a locked number. The number goes by SMS to the phone on file, through the twilio client (the
local fake Messages API), exactly once; never said, shown, or sent on WhatsApp or web chat. Failures
count towards the lockout and velocity limits; every recovery is audited. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.store.db import transaction
from bot.store.models import FailedAttempt, Lock, VerificationDecision
from tests.chat_clients import Texter, WebChat
from tests.conftest import BASE_URL, TOKEN, make_settings
from tests.fake_messages import FakeMessagesServer
from tests.twilio_phone import TwilioPhone

ALICE = {"number": "1023456781", "phone": "+447911123456", "name": "Alice Walker", "dob": "03/03/1985",
         "postcode": "SW1A 1AA"}
ROBERT = {"number": "2076543213", "phone": "+14155550100", "name": "Robert Jones", "dob": "25111972", "zip": "90210"}
DONE = "If those details match an account, we've texted the customer number to the phone we have on file."
OUR_NUMBER = "+442071230000"


@pytest.fixture
def fake_messages():
    with FakeMessagesServer() as fake:
        yield fake


@pytest.fixture
def http(customers, fake_messages):
    from bot.outgoing_texts import TwilioTexts
    from tests.fake_verify import AUTH_TOKEN
    from webhooks.app import create_app

    settings = make_settings(customers, twilio_account_sid="AC" + "1" * 32, twilio_sms_from=OUR_NUMBER)
    texts = TwilioTexts.from_settings(settings.model_copy(update={"twilio_auth_token": AUTH_TOKEN}),
                                      http_client=fake_messages.http_client())
    with TestClient(create_app(settings, texts=texts), base_url=BASE_URL) as client:
        yield client


def caller(http, from_: str = "+447700900999") -> TwilioPhone:
    return TwilioPhone(http, token=TOKEN, base_url=BASE_URL, from_=from_)


def answer(call: TwilioPhone, words: str) -> TwilioPhone:
    """Say it; if the bot reads it back for a yes or no, agree."""
    call.say(words)
    if "press 1 or say yes" in call.last:
        call.say("yes")
    return call


def texted(fake) -> list[tuple[str, str]]:
    return [(m["To"], m["Body"]) for m in fake.sent]


def holds_the_number(body: str, number: str) -> bool:
    return number in body.replace(" ", "")


def audited(url) -> list[tuple]:
    with transaction(url) as session:
        return [(d.customer_number, d.result, d.reason) for d in session.scalars(
            select(VerificationDecision).where(VerificationDecision.reason.like("number-recovery%"))
            .order_by(VerificationDecision.id))]


def lock(url, number: str) -> None:
    from bot.engine.bundle import load_bundle
    from bot.verification.lockout import SqlLedger
    from tests.conftest import FLOWS

    lockout = load_bundle(FLOWS).lockout
    with transaction(url) as session:
        ledger = SqlLedger(session, lockout, channel="voice", conversation_id=None)
        for _ in range(lockout.threshold):
            ledger.decide(number, passed=False)


# -- voice ---------------------------------------------------------------------------------------

def test_by_keypad_with_a_caller_id_on_file(http, fake_messages, database_url):
    call = caller(http, ROBERT["phone"]).dial()
    assert "customer number" in call.last
    call.press("*#")  # the star key, then hash: "If you don't have it, press star, then hash."
    assert call.last.startswith("No problem. I can text your customer number")
    assert "date of birth" in call.last and "full name" not in call.last  # the caller ID found the account
    call.press(ROBERT["dob"])
    call.press(ROBERT["zip"])
    assert call.last.startswith(DONE) and "Which team would you like?" in call.last
    assert ROBERT["number"] not in "".join(call.responses) and "6 5 4 3 2 1 3" not in " ".join(call.log.said)
    (to, body), = texted(fake_messages)
    assert to == ROBERT["phone"] and holds_the_number(body, ROBERT["number"])
    call.press("1")
    assert call.task["verified"] is True and call.task["customer_number"] == ROBERT["number"]
    assert audited(database_url) == [(ROBERT["number"], "verified", "number-recovery")]


def test_by_speech_without_a_caller_id_on_file(http, fake_messages, database_url):
    call = caller(http, "anonymous").dial()
    call.say("I don't know my customer number")
    assert "full name" in call.last
    answer(call, ALICE["name"])
    answer(call, "the third of March nineteen eighty five")
    answer(call, "S W one A one A A")
    assert call.last.startswith(DONE)
    (to, body), = texted(fake_messages)
    assert to == ALICE["phone"] and holds_the_number(body, ALICE["number"])  # the phone on file, not the caller
    assert audited(database_url) == [(ALICE["number"], "verified", "number-recovery")]


def test_details_matching_nobody_hear_the_same_words_and_nothing_is_sent(http, fake_messages, database_url):
    def recover(name: str) -> list[str]:
        call = caller(http, "anonymous").dial()
        call.say("I don't know my number")
        for words in (name, "the third of March nineteen eighty five", "S W one A one A A"):
            answer(call, words)
        return call.log.turns[1:]

    heard_by_alice = recover(ALICE["name"])
    sent = len(fake_messages.sent)
    heard_by_nobody = recover("Nicola Nobody")
    assert heard_by_nobody == heard_by_alice  # word for word, every turn
    assert len(fake_messages.sent) == sent == 1
    assert audited(database_url)[-1] == (None, "failed", "number-recovery: no-match")
    with transaction(database_url) as session:
        unmatched = session.scalars(select(FailedAttempt).where(FailedAttempt.customer_number == "(no match)")).all()
    assert len(unmatched) == 1 and unmatched[0].origin  # counted towards this caller's velocity


def test_a_locked_number_hears_the_same_words_and_gets_nothing(http, fake_messages, database_url):
    lock(database_url, ROBERT["number"])
    call = caller(http, ROBERT["phone"]).dial()
    call.press("*#")
    call.press(ROBERT["dob"])
    call.press(ROBERT["zip"])
    assert call.last.startswith(DONE) and "Which team would you like?" in call.last
    assert fake_messages.sent == []
    assert audited(database_url) == [(ROBERT["number"], "locked", "number-recovery: locked")]
    call.press("1")
    assert call.task["verified"] is False and call.task["department"] == "general"  # whatever was chosen


def test_wrong_details_count_towards_the_lockout(http, fake_messages, database_url):
    for _ in range(3):
        call = caller(http, ROBERT["phone"]).dial()
        call.press("*#")
        call.press("01011990")  # not Robert's date of birth
        call.press(ROBERT["zip"])
        assert call.last.startswith(DONE)
    # The third failure locked the number: the customer is told so (the lockout's own notice); nothing
    # holds the number.
    assert not any(holds_the_number(body, ROBERT["number"]) for _, body in texted(fake_messages))
    assert [to for to, _ in texted(fake_messages)] == [ROBERT["phone"]]
    with transaction(database_url) as session:
        assert session.scalars(select(Lock).where(Lock.customer_number == ROBERT["number"])).all()
    assert [a[1] for a in audited(database_url)] == ["failed", "failed", "failed"]
    # Locked now: the right details do not get the number either.
    call = caller(http, ROBERT["phone"]).dial()
    call.press("*#")
    call.press(ROBERT["dob"])
    call.press(ROBERT["zip"])
    assert call.last.startswith(DONE)
    assert not any(holds_the_number(body, ROBERT["number"]) for _, body in texted(fake_messages))


# -- SMS and web chat --------------------------------------------------------------------------------

def test_by_sms_with_the_phone_on_file(http, fake_messages, database_url):
    texter = Texter(http, token=TOKEN, base_url=BASE_URL, from_=ALICE["phone"], to=OUR_NUMBER)
    texter.text("hello")
    texter.text("I don't know my customer number")
    assert "date of birth" in texter.last
    texter.text(ALICE["dob"])
    texter.text(ALICE["postcode"])
    assert texter.last.startswith(DONE) and ALICE["number"] not in texter.last
    (to, body), = texted(fake_messages)
    assert to == ALICE["phone"] and holds_the_number(body, ALICE["number"])


def test_by_sms_from_another_phone_the_text_goes_to_the_phone_on_file(http, fake_messages):
    texter = Texter(http, token=TOKEN, base_url=BASE_URL, from_="+447700900555", to=OUR_NUMBER)
    texter.text("hi")
    texter.text("no sé mi número")
    assert "full name" in texter.last
    for text in (ALICE["name"], ALICE["dob"], ALICE["postcode"]):
        texter.text(text)
    assert texter.last.startswith(DONE)
    assert [to for to, _ in texted(fake_messages)] == [ALICE["phone"]]  # never the number texting us


def test_by_web_chat_the_number_is_never_shown(http, fake_messages, database_url):
    chat = WebChat(http).open()
    chat.send("I've lost my customer number")
    for text in (ALICE["name"], ALICE["dob"], ALICE["postcode"]):
        chat.send(text)
    assert chat.last.startswith(DONE)
    assert not any(ALICE["number"] in str(reply) for reply in chat.replies)
    (to, body), = texted(fake_messages)
    assert to == ALICE["phone"] and holds_the_number(body, ALICE["number"])
    chat.send("1")
    assert chat.handoff["verified"] is True


def test_web_chat_details_matching_nobody_and_a_locked_number_read_the_same(http, fake_messages, database_url):
    def recover(name: str) -> list[str]:
        chat = WebChat(http).open()
        chat.send("I don't know my number")
        for text in (name, ALICE["dob"], ALICE["postcode"]):
            chat.send(text)
        return [" ".join(m["text"] for m in reply["messages"]) for reply in chat.replies[2:]]

    matched = recover(ALICE["name"])
    assert recover("Nicola Nobody") == matched
    lock(database_url, ALICE["number"])
    assert recover(ALICE["name"]) == matched
    assert len(fake_messages.sent) == 1  # only the first, before the lock
    assert [a[1] for a in audited(database_url)] == ["verified", "failed", "locked"]


def test_a_whatsapp_customer_gets_the_number_by_sms_not_on_whatsapp(http, fake_messages):
    texter = Texter(http, token=TOKEN, base_url=BASE_URL, from_="whatsapp:" + ALICE["phone"],
                    to="whatsapp:" + OUR_NUMBER)
    texter.text("hello")
    texter.text("I don't know my number")
    texter.text(ALICE["dob"])
    texter.text(ALICE["postcode"])
    assert texter.last.startswith(DONE) and ALICE["number"] not in texter.last
    assert [to for to, _ in texted(fake_messages)] == [ALICE["phone"]]  # an SMS, to the number itself


def test_without_a_way_to_send_texts_the_caller_reaches_a_colleague(app):
    with TestClient(app, base_url=BASE_URL) as plain:  # no TWILIO_SMS_FROM
        call = caller(plain).dial()
        call.press("*#")
    assert call.last.startswith("Sorry, I can't send your customer number just now.")
    assert call.task["verified"] is False


def test_parked_recoveries_cannot_outrun_the_lock(http, fake_messages, database_url):
    """Four calls wait at the last question at once, three with a wrong date of birth, one right: the
    decision is taken when each answers, under the number's lock, so the right one comes too late."""
    calls = []
    for dob in ("01011990", "02021991", "03031992", ROBERT["dob"]):
        call = caller(http, ROBERT["phone"]).dial()
        call.press("*#")
        call.press(dob)
        calls.append(call)
    for call in calls:
        call.press(ROBERT["zip"])
        assert call.last.startswith(DONE)
    assert not any(holds_the_number(body, ROBERT["number"]) for _, body in texted(fake_messages))
    assert [a[1:] for a in audited(database_url)] == [("failed", "number-recovery: details-mismatch"),
                                                      ("failed", "number-recovery: details-mismatch"),
                                                      ("failed", "number-recovery: locked"),
                                                      ("locked", "number-recovery: locked")]
