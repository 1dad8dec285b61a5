"""End to end: calls driven through the real ASGI app the way Twilio drives it, on SQLite and PostgreSQL."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from bot.store.db import transaction
from bot.store.models import Conversation, Event, FailedAttempt, VerificationDecision

ALICE = {"number": "1023456781", "dob": "03031985", "postcode": "SW1A 1AA"}
UNKNOWN_VALID = "1055500026"  # valid Damm check digit, not in the directory


def verify_by_keypad(call, number=ALICE["number"], dob=ALICE["dob"], postcode=ALICE["postcode"]):
    call.press(number + "#")
    call.press(dob)
    call.say(postcode)
    return call


def conversation(url, call_sid):
    with transaction(url) as session:
        return session.scalar(select(Conversation).where(Conversation.session_key == call_sid))


def outcomes(url, call_sid):
    with transaction(url) as session:
        conv = session.scalar(select(Conversation).where(Conversation.session_key == call_sid))
        return [(e.step, e.outcome) for e in session.scalars(select(Event).where(Event.conversation_id == conv.id).order_by(Event.id))]


def test_genuine_caller_by_keypad_reaches_the_chosen_department_verified(phone, database_url):
    call = phone().dial()
    assert "Welcome to Northwind" in call.last
    assert "customer number" in call.last
    assert call.gather.get("input") == "dtmf speech"
    call.press("1023456781#")
    assert "date of birth" in call.last and "two for the day" in call.last  # keypad layout announced
    call.press("03031985")
    assert "postcode" in call.last
    call.say("SW1A 1AA")
    assert "you're verified" in call.last and "press 1" in call.last
    call.press("1")
    assert call.handoff.verb == "Enqueue" and call.handoff.queue == "billing"
    task = call.task
    assert task["customer_number"] == "1023456781"
    assert task["verified"] is True
    assert task["factors"] == ["date_of_birth", "postcode"]
    assert task["department"] == "billing"
    assert task["channel"] == "voice"
    assert task["language"] == "en"
    assert task["call_sid"] == call.call_sid
    assert task["locked"] is False
    assert task["segment"] == "personal"
    row = conversation(database_url, call.call_sid)
    assert row.status == "closed" and row.end_reason == "handoff"
    assert ("check_details", "verified") in outcomes(database_url, call.call_sid)
    assert ("to_department", "routed") in outcomes(database_url, call.call_sid)


def test_genuine_caller_by_speech(phone):
    call = phone().dial()
    call.say("my number is one oh two three four five six seven eight one")
    if "yes" in call.last:  # "oh" had to be read as zero: the bot may read it back first
        read_back = "".join(e.text for e in ET.fromstring(call.responses[-1]).iter("say-as"))
        assert read_back == "1023456781"
        call.say("yes")
    assert "date of birth" in call.last
    call.say("the third of March nineteen eighty five")
    assert "postcode" in call.last
    call.say("S W one A one A A")
    if "Was that" in call.last:
        call.say("yes")
    assert "you're verified" in call.last
    call.say("I want to pay my bill")
    assert call.task["department"] == "billing"
    assert call.task["verified"] is True


def test_mistyped_number_then_the_right_one(phone):
    call = phone().dial()
    call.press("1023456782#")  # last digit wrong: the Damm check fails
    assert "doesn't look right" in call.last
    call.press("102345678#")  # too short
    assert "10 digits" in call.last
    call.press("1023456781#")
    assert "date of birth" in call.last


def test_silence_then_an_answer_never_ends_the_call(phone, database_url):
    call = phone().dial()
    first_prompt = call.last
    call.silence()
    assert not call.hung_up and call.waiting
    assert "didn't hear anything" in call.last
    call.silence()
    assert "statement" in call.last  # the second rung of the ladder is worded differently
    assert call.last != first_prompt
    call.press("1023456781#")
    assert "date of birth" in call.last
    assert outcomes(database_url, call.call_sid).count(("customer_number", "no-input")) == 2


def test_silence_until_attempts_run_out_reaches_the_general_queue_unverified(phone):
    call = phone().dial()
    for _ in range(3):
        call.silence()
    assert call.handoff is not None and call.handoff.queue == "general"
    assert call.task["verified"] is False and call.task["customer_number"] is None
    assert call.task["reason"] == "attempts-exhausted"


def test_wrong_date_of_birth_until_attempts_run_out(phone, database_url):
    call = phone().dial()
    verify_by_keypad(call, dob="04031985")
    assert "don't match our records" in call.last and "try once more" in call.last
    assert "customer number" in call.last
    verify_by_keypad(call, dob="04031985")
    assert "don't match our records" in call.last
    assert call.handoff.queue == "general"
    task = call.task
    assert task["verified"] is False and task["locked"] is False
    assert task["customer_number"] == ALICE["number"]
    assert task["reason"] == "verification-failed"
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(FailedAttempt)) == 2
        decisions = session.scalars(select(VerificationDecision).order_by(VerificationDecision.id)).all()
    assert [d.result for d in decisions] == ["failed", "failed"]
    assert decisions[0].factors_asked == ["date_of_birth", "postcode"]
    assert decisions[0].factors_passed == ["postcode"]


def test_three_failed_calls_lock_the_number_even_for_the_right_details(phone, database_url):
    for _ in range(3):
        call = phone().dial()
        while call.waiting:
            if "customer number" in call.last:
                call.press(ALICE["number"] + "#")
            elif "date of birth" in call.last:
                call.press("01011970")
            else:
                call.say(ALICE["postcode"])
        assert call.task["verified"] is False
    assert call.task["locked"] is True
    fourth = phone().dial()
    fourth.press(ALICE["number"] + "#")
    # A locked number is not asked the questions: the caller goes to a colleague, unverified.
    assert "For your security" in fourth.last
    assert fourth.task["verified"] is False
    assert fourth.task["locked"] is True
    assert fourth.task["customer_number"] == ALICE["number"]


def test_unknown_number_hears_exactly_what_a_wrong_answer_hears(phone):
    wrong = phone().dial()
    verify_by_keypad(wrong, dob="04031985")
    unknown = phone().dial()
    verify_by_keypad(unknown, number=UNKNOWN_VALID)
    assert wrong.log.turns == unknown.log.turns


def test_closed_account_is_told_politely_and_put_through(phone):
    call = phone().dial()
    call.press("1055500018#")
    call.press("31011961")
    call.say("EH1 1YZ")
    assert "no longer active" in call.last
    assert call.handoff.queue == "general"
    assert call.task["verified"] is True
    assert call.task["customer_status"] == "closed"
    assert call.task["reason"] == "account-closed"


def test_withheld_caller_id(phone, database_url):
    call = phone(from_="anonymous").dial()
    verify_by_keypad(call)
    call.press("2")
    assert call.task["department"] == "cards" and call.task["verified"] is True
    assert conversation(database_url, call.call_sid).caller is None


def test_forged_signature_is_refused_and_writes_nothing(phone, database_url):
    call = phone()
    call.validator = type(call.validator)("not-the-token")
    response = call._post(call.base_url + "/twilio/voice", {})
    assert response.status_code == 403
    unsigned = phone(sign=False)
    assert unsigned._post(unsigned.base_url + "/twilio/voice", {}).status_code == 403
    assert conversation(database_url, call.call_sid) is None
    assert conversation(database_url, unsigned.call_sid) is None


def test_a_retried_webhook_gets_the_same_answer_and_counts_once(phone, database_url):
    call = phone().dial()
    call.press("1023456781#")
    gather_action = call.responses[0]
    # Twilio retries the same request: same CallSid, same turn, same digits.
    action = ET.fromstring(gather_action).find("Gather").get("action")
    again = call._post(call._url(action), {"Digits": "1023456781"})
    assert again.text == call.responses[-1]
    assert outcomes(database_url, call.call_sid).count(("customer_number", "matched")) == 1


def test_hang_up_records_where_the_caller_left(phone, database_url):
    call = phone().dial()
    call.press("1023456781#")
    assert call.hang_up() == 204
    row = conversation(database_url, call.call_sid)
    assert row.status == "closed" and row.end_reason == "completed"
    assert row.hung_up_at_step == "date_of_birth"
    assert outcomes(database_url, call.call_sid)[-1] == ("date_of_birth", "hung-up")
