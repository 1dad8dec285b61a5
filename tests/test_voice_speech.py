"""End to end by speech: every question answered in the ways callers really say things."""
from __future__ import annotations

import pytest

NUMBER_SAYINGS = [
    "my number is one oh two three four five six seven eight one",
    "it's 10 2345 6781",
    "one zero two three four five six seven eight one",
    "um 1023 456 781",
    "one oh two, three four five, six seven eight one",
    "ten twenty three four five six seven eight one",
]
DATE_SAYINGS = [
    "the third of March nineteen eighty five",
    "March third 1985",
    "03/03/1985",
    "3rd March 85",
    "it's the 3rd of march 1985",
]
POSTCODE_SAYINGS = ["SW1A 1AA", "sierra whiskey one alpha one alpha alpha", "S W 1 A 1 A A", "it's SW1A1AA"]
MENU_SAYINGS = [("billing", "billing"), ("for billing", "billing"), ("I want to pay my bill", "billing"), ("I've lost my card", "cards"),
                ("two", "cards"), ("a mortgage question", "loans")]


def answer(call, text):
    """Say something; if the bot reads it back, confirm it."""
    call.say(text)
    if "say yes" in call.last or "Was that" in call.last:
        call.say("yes")


@pytest.mark.parametrize("number", NUMBER_SAYINGS)
def test_customer_number_by_speech(phone, number):
    call = phone().dial()
    answer(call, number)
    assert "date of birth" in call.last, call.last


@pytest.mark.parametrize("date", DATE_SAYINGS)
def test_date_of_birth_by_speech(phone, date):
    call = phone().dial()
    call.press("1023456781#")
    answer(call, date)
    assert "postcode" in call.last, call.last
    call.say("SW1A 1AA")
    assert "you're verified" in call.last


@pytest.mark.parametrize("postcode", POSTCODE_SAYINGS)
def test_postcode_by_speech(phone, postcode):
    call = phone().dial()
    call.press("1023456781#")
    call.press("03031985")
    answer(call, postcode)
    assert "you're verified" in call.last, call.last


@pytest.mark.parametrize("said, department", MENU_SAYINGS)
def test_department_by_speech(phone, said, department):
    call = phone().dial()
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    call.say(said)
    assert call.task["department"] == department


def test_whole_call_by_speech_on_postgres_and_sqlite(phone):
    call = phone().dial()
    answer(call, "my number is one oh two three four five six seven eight one")
    answer(call, "the third of March nineteen eighty five")
    answer(call, "sierra whiskey one alpha one alpha alpha")
    call.say("I want to pay my bill")
    assert call.task["verified"] is True and call.task["department"] == "billing"


def test_number_given_in_parts(phone):
    call = phone().dial()
    call.say("one oh two three")
    assert "so far" in call.last and "Please carry on" in call.last
    call.say("four five six seven")
    assert "so far" in call.last
    call.say("eight one")
    assert "If that's right" in call.last  # a number assembled from parts is always read back
    call.say("yes")
    assert "date of birth" in call.last


def test_keypad_pause_is_a_part_but_hash_is_final(phone):
    call = phone().dial()
    call.press("10234")  # a pause: Twilio submits on timeout, without the hash
    assert "so far" in call.last
    call.press("56781#")
    call.say("yes")
    assert "date of birth" in call.last
    short = phone().dial()
    short.press("10234#")  # the caller said they were done
    assert "10 digits" in short.last


def test_start_again_clears_a_part_number(phone):
    call = phone().dial()
    call.say("nine nine nine")
    call.say("start again")
    assert "customer number" in call.last and "so far" not in call.last
    call.say("10 2345 6781")
    assert "date of birth" in call.last


def test_agent_at_any_question_goes_to_a_colleague_unverified(phone):
    call = phone().dial()
    call.press("1023456781#")
    call.say("can I speak to a real person please")
    assert call.task["verified"] is False
    assert call.task["department"] == "general"
    assert call.task["reason"] == "agent-requested"


def test_repeat_and_help_do_not_use_up_attempts(phone, database_url):
    call = phone().dial()
    call.press("1023456781#")
    question = call.last
    call.say("sorry can you repeat that")
    assert call.last == question
    call.say("help")
    assert "start again" in call.last and "date of birth" in call.last
    call.press("*")
    assert call.last == question
    for _ in range(2):
        call.silence()
    assert call.waiting  # two silences after three controls: still within the three tries


def test_start_again_later_goes_back_to_the_number(phone):
    call = phone().dial()
    call.press("1023456781#")
    call.press("03031985")
    call.say("start again")
    assert "start again" in call.last and "customer number" in call.last
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    assert "you're verified" in call.last


def test_low_confidence_answers_are_read_back(phone):
    call = phone().dial()
    call.say("10 2345 6781", confidence=0.2)
    assert "If that's right" in call.last
    call.say("no")
    assert "customer number" in call.last
    call.say("10 2345 6781", confidence=0.95)
    assert "date of birth" in call.last
