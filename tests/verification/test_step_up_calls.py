"""One-time-code step-up end to end: a call through the real app, the real twilio client and a
local fake Verify. Billing requires a code (policy.yaml), so the flow sends one to the phone on
file before handing over; wrong, expired and too many codes end with a colleague, unverified."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from bot.store.db import transaction
from bot.store.models import ChatMessage, Conversation, FailedAttempt, VerificationDecision
from tests.chat_clients import WebChat

ALICE_PHONE = "+447911123456"
WORDS = "zero one two three four five six seven eight nine".split()


def to_billing(call):
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    assert "you're verified" in call.last
    call.press("1")  # billing and payments
    return call


def wrong(code: str) -> str:
    return "".join(str((int(d) + 1) % 10) for d in code)


def decisions(url):
    with transaction(url) as session:
        return [(d.result, d.factors_asked, d.factors_passed, d.reason)
                for d in session.scalars(select(VerificationDecision).order_by(VerificationDecision.id))]


def failures(url) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(FailedAttempt))


def test_a_code_by_keypad_reaches_billing_with_the_code_as_a_factor(verify_phone, verify_server, database_url):
    call = to_billing(verify_phone().dial())
    assert "sent a code by text message to your phone ending 3456" in call.last
    assert call.waiting and call.handoff is None
    assert call.gather.get("numDigits") == "6"
    assert verify_server.fake.outbox == [(ALICE_PHONE, verify_server.fake.last_code(ALICE_PHONE))]
    call.press(verify_server.fake.last_code(ALICE_PHONE))
    assert call.handoff.queue == "billing"
    assert call.task["verified"] is True
    assert call.task["factors"] == ["date_of_birth", "postcode", "one_time_code"]
    assert decisions(database_url) == [
        ("verified", ["date_of_birth", "postcode"], ["date_of_birth", "postcode"], None),
        ("verified", ["one_time_code"], ["one_time_code"], "step-up"),
    ]
    assert verify_server.fake.verifications[-1].status == "approved"


def test_a_spoken_code_and_other_departments_need_none(verify_phone, verify_server):
    call = to_billing(verify_phone().dial())
    code = verify_server.fake.last_code(ALICE_PHONE)
    call.say("it's " + " ".join(WORDS[int(d)] for d in code))
    assert call.task["department"] == "billing" and "one_time_code" in call.task["factors"]
    cards = verify_phone().dial()
    cards.press("1023456781#")
    cards.press("03031985")
    cards.say("SW1A 1AA")
    cards.press("2")
    assert cards.task["department"] == "cards"  # no requirement: no code
    assert len(verify_server.fake.outbox) == 1


def test_a_wrong_code_then_the_right_one(verify_phone, verify_server, database_url):
    call = to_billing(verify_phone().dial())
    code = verify_server.fake.last_code(ALICE_PHONE)
    call.press(wrong(code))
    assert "That code isn't right" in call.last and call.waiting
    call.press(code)
    assert call.task["department"] == "billing"
    assert failures(database_url) == 0


def test_three_wrong_codes_hand_over_unverified_and_count_a_failure(verify_phone, verify_server, database_url):
    call = to_billing(verify_phone().dial())
    bad = wrong(verify_server.fake.last_code(ALICE_PHONE))
    for _ in range(3):
        call.press(bad)
    assert call.handoff.queue == "general"
    task = call.task
    assert task["verified"] is False and task["reason"] == "step-up-failed"
    assert "one_time_code" not in task["factors"]
    assert failures(database_url) == 1
    assert decisions(database_url)[-1] == ("failed", ["one_time_code"], [], "code-attempts-exhausted")


def test_an_expired_code_sends_a_new_one(verify_phone, verify_server):
    call = to_billing(verify_phone().dial())
    first = verify_server.fake.last_code(ALICE_PHONE)
    verify_server.fake.advance(minutes=10, seconds=1)
    call.press(first)
    assert "expired, so I've sent you a new one" in call.last and call.waiting
    assert len(verify_server.fake.verifications) == 2
    call.press(verify_server.fake.last_code(ALICE_PHONE))
    assert call.task["department"] == "billing"


def test_resend_by_keypad_and_by_speech_within_the_send_limit(verify_phone, verify_server):
    call = to_billing(verify_phone().dial())
    call.press("0#")
    assert "I've sent you a new code" in call.last
    call.say("I didn't get it, can you send it again")
    assert "I've sent you a new code" in call.last
    assert len(verify_server.fake.outbox) == 3  # max_sends: 3
    call.press("0#")
    assert "sent a code by text message" in call.last  # no fourth code: asked again, and it counts
    assert len(verify_server.fake.outbox) == 3
    call.press(verify_server.fake.last_code(ALICE_PHONE))
    assert call.task["department"] == "billing"


def test_the_five_check_limit_holds_across_calls(verify_phone, verify_server, database_url):
    first = to_billing(verify_phone().dial())
    code = verify_server.fake.last_code(ALICE_PHONE)
    for _ in range(3):
        first.press(wrong(code))
    assert first.task["reason"] == "step-up-failed"
    # Within ten minutes Verify continues the same verification: two checks are left, then 429.
    second = to_billing(verify_phone().dial())
    second.press(wrong(code))
    second.press(wrong(code))
    assert verify_server.fake.verifications[-1].checks == 5
    second.press(code)  # right, but Verify refuses a sixth check
    assert second.task["verified"] is False and second.task["department"] == "general"
    assert decisions(database_url)[-1] == ("failed", ["one_time_code"], [], "too-many-checks")
    assert failures(database_url) == 2


def test_verify_down_means_a_colleague_not_a_dead_line(verify_phone, verify_server, database_url):
    verify_server.fake.fail_with = 503
    call = to_billing(verify_phone().dial())
    assert "can't send you a code just now" in call.last
    assert call.handoff.queue == "general"
    assert call.task["reason"] == "step-up-unavailable"
    assert failures(database_url) == 0  # an outage is not the caller's failure


def test_a_retried_code_webhook_is_checked_once(verify_phone, verify_server, database_url):
    call = to_billing(verify_phone().dial())
    code = verify_server.fake.last_code(ALICE_PHONE)
    action = ET.fromstring(call.responses[-1]).find("Gather").get("action")
    call.press(wrong(code))
    again = call._post(call._url(action), {"Digits": wrong(code)})  # Twilio retries the same request
    assert again.text == call.responses[-1]
    assert verify_server.fake.verifications[-1].checks == 1


def test_web_chat_steps_up_and_the_code_is_withheld_from_the_transcript(verify_http, verify_server, database_url):
    chat = WebChat(verify_http).open()
    chat.send("1023456781")
    if "Is your customer number" in chat.last:
        chat.send("yes")
    chat.send("03/03/1985")
    chat.send("SW1A 1AA")
    assert "verified" in chat.last
    chat.send("1")
    assert "sent a code by text message to your phone ending 3456" in chat.last
    code = verify_server.fake.last_code(ALICE_PHONE)
    chat.send(code)
    assert chat.handoff["department"] == "billing" and "one_time_code" in chat.handoff["factors"]
    with transaction(database_url) as session:
        texts = list(session.scalars(select(ChatMessage.text)))
        row = session.scalar(select(Conversation))
    assert code not in " ".join(texts)
    assert code not in str(row.state) and code not in (row.last_response or "")


def test_a_number_locked_while_the_code_was_awaited_is_not_stepped_up(verify_phone, verify_server, database_url):
    """A parked step-up: verified, waiting for the code, while other sessions fail on the number until it locks."""
    call = to_billing(verify_phone().dial())
    code = verify_server.fake.last_code(ALICE_PHONE)
    for _ in range(3):
        other = verify_phone().dial()
        other.press("1023456781#")
        other.press("01011970")
        other.say("SW1A 1AA")
    call.press(code)  # the right code, after the lock
    assert call.task["verified"] is False and call.task["locked"] is True
    assert call.handoff.queue == "general"
    assert decisions(database_url)[-1] == ("locked", ["one_time_code"], [], "locked")
    assert failures(database_url) == 3
