"""A lockout an attacker cannot turn against the customer: the customer is texted on the phone on file
when their number locks (through the twilio client, against a local fake Messages API), and whoever
holds that phone gets past the lock with a one-time code (Twilio Verify, against its local fake) and
is then verified by the questions as usual. Nobody else gets past, and an unknown number hears the
same and sends nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.outgoing_texts import TwilioTexts
from bot.store.db import transaction
from bot.store.models import FailedAttempt, VerificationDecision
from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, TOKEN
from tests.fake_messages import FakeMessagesServer
from tests.twilio_phone import TwilioPhone
from tests.verification import variants
from tests.verification.test_verification_calls import call_through

ALICE, ALICE_PHONE, UNKNOWN = "1023456781", "+447911123456", "1055500026"
SENDER = "+442071230000"

RECOVERY_STEP = '''
  recover_code:
    type: one_time_code
    prompt:
      voice: "If you have the phone we have on file, I've sent it a code by text message. Please key it in, or say it."
      chat: "If you have the phone we have on file, I've sent it a code by text message. Please type it here."
    no_input: ["Sorry, I didn't get that. Please enter the code from the text message."]
    no_match: ["Sorry, a code has six digits. Please enter it again."]
    wrong: "That code isn't right. Please try again."
    expired: "That code has expired, so I've sent you a new one. Please enter it."
    resent: "I've sent you a new code. Please enter it."
    unavailable: "Sorry, I can't send you a code just now."
    max_attempts: 3
    next: date_of_birth
    on_fail: to_general
'''


def recovery_flow() -> dict[str, str]:
    # A refused number goes to the code step instead of straight to a colleague.
    return variants.add_steps(variants.shipped(), "    next: date_of_birth\n    on_fail: to_general\n",
                              "    next: date_of_birth\n    on_fail: to_general\n    on_locked: recover_code\n",
                              RECOVERY_STEP)


@pytest.fixture
def messages():
    with FakeMessagesServer() as fake:
        yield fake


@pytest.fixture
def client(client_for, messages):
    http = client_for(recovery_flow(), twilio_sms_from=SENDER)
    settings = http.app.state.settings
    http.app.state.texts = TwilioTexts.from_settings(settings, http_client=messages.http_client())
    return http


def phone(http, **kwargs) -> TwilioPhone:
    return TwilioPhone(http, token=TOKEN, base_url=BASE_URL, **kwargs)


def results(url):
    with transaction(url) as session:
        return [(d.result, d.reason) for d in session.scalars(select(VerificationDecision).order_by(VerificationDecision.id))]


def lock(http, number=ALICE):
    for _ in range(3):
        call_through(phone(http).dial(), number=number, dob="01011970")


def test_the_customer_is_texted_on_the_phone_on_file_once_when_their_number_locks(client, messages):
    lock(client)
    assert len(messages.sent) == 1
    [text] = messages.sent
    assert text["To"] == ALICE_PHONE and text["From"] == SENDER
    assert "ending 6781" in text["Body"] and "1023456781" not in text["Body"] and "24 hours" in text["Body"]
    # Refused calls and chats afterwards lock nothing new: no second text.
    refused = phone(client).dial()
    refused.press(ALICE + "#")
    chat = WebChat(client).open()
    chat.send(ALICE)
    assert len(messages.sent) == 1
    # An unknown number locks the same way, and nobody is texted.
    lock(client, UNKNOWN)
    assert len(messages.sent) == 1


def test_the_lock_notice_goes_out_from_a_chat_too(client, messages):
    for _ in range(3):
        chat = WebChat(client).open()
        for text in (ALICE, "01/01/1970", "SW1A 1AA"):
            chat.send(text)
    assert [m["To"] for m in messages.sent] == [ALICE_PHONE]


def test_whoever_holds_the_phone_on_file_gets_past_the_lock_and_is_verified_by_the_questions(client, customers,
                                                                                           verify_server, messages):
    lock(client)
    call = phone(client).dial()
    call.press(ALICE + "#")
    assert "For your security" in call.last and "I've sent it a code" in call.last
    call.press(verify_server.fake.last_code(ALICE_PHONE))
    assert "date of birth" in call.last
    call.press("03031985")
    call.say("SW1A 1AA")
    assert "you're verified" in call.last
    assert results(customers)[-2:] == [("recovered", "one-time-code"), ("verified", None)]
    with transaction(customers) as session:
        assert session.scalar(select(func.count()).select_from(FailedAttempt)) == 3  # the lock itself stays


def test_a_wrong_code_keeps_the_lock_and_wrong_answers_after_a_code_still_count(client, customers, verify_server):
    lock(client)
    guesser = phone(client).dial()
    guesser.press(ALICE + "#")
    for _ in range(3):
        guesser.press("000000")
    assert guesser.task["locked"] is True and guesser.task["verified"] is False
    holder = phone(client).dial()
    holder.press(ALICE + "#")
    holder.press(verify_server.fake.last_code(ALICE_PHONE))
    holder.press("01011970")
    holder.say("SW1A 1AA")
    assert "don't match our records" in holder.last and holder.task["verified"] is False
    with transaction(customers) as session:
        assert session.scalar(select(func.count()).select_from(FailedAttempt)) == 4


def test_a_locked_unknown_number_hears_the_same_and_nothing_is_sent(client, verify_server):
    lock(client)
    lock(client, UNKNOWN)
    sent_before = len(verify_server.fake.outbox)
    known, unknown = phone(client).dial(), phone(client).dial()
    known.press(ALICE + "#")
    unknown.press(UNKNOWN + "#")
    assert known.log.turns == unknown.log.turns
    assert [to for to, _ in verify_server.fake.outbox[sent_before:]] == [ALICE_PHONE]
    unknown.press("123456")
    assert "isn't right" in unknown.last
