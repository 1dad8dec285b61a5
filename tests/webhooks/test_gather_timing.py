"""No caller waits for a timeout: every keyed answer ends its <Gather> at once (numDigits, or the
finish key the prompt names), and the language offer is one key in a Gather of its own.

Twilio ends a Gather when numDigits keys are in, when finishOnKey is pressed, or `timeout`
seconds after the last key (https://www.twilio.com/docs/voice/twiml/gather); tests/twilio_phone.py
plays it that way and notes in `waits` every timeout a caller sits out."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.engine.gather_timing import mentions_key
from tests.twilio_phone import Wait

ROBERT = {"number": "2076543213", "dob": "25111972", "zip": "90210"}  # a US customer: all of it keys in


def gathers(document: str) -> list[ET.Element]:
    return [verb for verb in ET.fromstring(document) if verb.tag == "Gather"]


def spoken(gather: ET.Element) -> str:
    return " ".join(" ".join(say.itertext()) for say in gather.iter("Say"))


def test_the_offer_listens_for_one_key_in_spanish_then_the_question_follows_in_the_same_document(phone):
    call = phone().dial()
    offer, question = gathers(call.responses[-1])
    assert "Para español, pulse 9" in spoken(offer) and "customer number" not in spoken(offer)
    assert (offer.get("numDigits"), offer.get("timeout"), offer.get("language")) == ("1", "1", "es-ES")
    assert "español" in offer.get("hints") and offer.get("action").endswith("&o=offer")
    assert "customer number" in spoken(question) and question.get("numDigits") is None
    assert question.get("finishOnKey") == "#" and mentions_key(spoken(question), "#")
    assert ET.fromstring(call.responses[-1])[-1].tag == "Redirect"  # silence through both: back to the server


def test_pressing_9_at_the_first_prompt_gives_spanish_in_the_next_document_with_no_timeout(phone):
    call = phone().dial()
    call.press("9", early=True)
    assert call.waits == []  # numDigits=1: the ninth key ends the Gather, no timeout in between
    assert len(call.responses) == 2
    assert "número de cliente" in call.last and "customer number" not in call.last
    question, = gathers(call.responses[-1])
    assert question.get("language") == "es-ES"
    assert {say.get("language") for say in question.iter("Say")} == {"es-ES"}


def test_saying_espanol_at_the_offer_is_heard_by_the_spanish_recogniser(phone):
    call = phone().dial()
    assert gathers(call.responses[-1])[0].get("language") == "es-ES"
    call.say("Español", early=True)
    assert call.waits == []
    assert "número de cliente" in call.last


def test_an_english_caller_loses_only_the_offers_one_second_and_no_request(phone):
    call = phone().dial()
    call.press(ROBERT["number"] + "#")
    assert [(w.why, w.seconds) for w in call.waits] == [("skipped", 1)]
    assert len(call.responses) == 2 and "date of birth" in call.last


def test_keys_pressed_before_the_question_get_the_question_without_counting_a_failure(phone, database_url):
    from sqlalchemy import select

    from bot.store.db import transaction
    from bot.store.models import Conversation, Event

    call = phone().dial()
    call.press("2", early=True)  # a caller keying their number during the welcome: Twilio took the first key
    assert call.last.startswith("Please enter your customer number")
    with transaction(database_url) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.session_key == call.call_sid))
        outcomes = [e.outcome for e in session.scalars(select(Event).where(Event.conversation_id == conversation.id))]
    assert "early" in outcomes and "invalid" not in outcomes and "no-match" not in outcomes
    call.press(ROBERT["number"] + "#")
    assert "date of birth" in call.last


def walk_by_keypad(call, *, spanish: bool) -> None:
    """A keypad caller who does exactly what each prompt says, checking that each entry ends its Gather."""
    if spanish:
        call.press("9", early=True)
    for keys, heard in ((ROBERT["number"] + "#", ("date of birth", "fecha de nacimiento")),
                        (ROBERT["dob"], ("ZIP",)),
                        (ROBERT["zip"], ("press 1", "pulse 1")),
                        ("1", ())):
        question = gathers(call.responses[-1])[-1]  # the question this document asks
        if keys.endswith("#"):
            assert mentions_key(spoken(question), "#"), spoken(question)  # the prompt said to press it
        else:
            assert question.get("numDigits") == str(len(keys)), (keys, question.attrib)
        call.press(keys)
        assert any(word in call.last for word in heard) or not heard, call.last


@pytest.mark.parametrize("spanish", [False, True], ids=["english", "spanish"])
def test_a_keypad_caller_who_follows_every_prompt_never_waits_for_a_gather_timeout(phone, spanish):
    call = phone(from_="+14155550100").dial()
    walk_by_keypad(call, spanish=spanish)
    assert call.handoff is not None and call.task["verified"] is True and call.task["department"] == "billing"
    # The only wait: an English caller lets the Spanish offer's one second pass; it asks nothing of them.
    assert call.waits == ([] if spanish else [Wait("skipped", 1, call.waits[0].action)])
    assert all(w.why == "skipped" and w.action.endswith("&o=offer") for w in call.waits)


def test_the_zip_code_question_ends_at_the_fifth_key_and_says_how_many(phone):
    call = phone().dial()
    call.press(ROBERT["number"] + "#")
    call.press(ROBERT["dob"])
    question, = gathers(call.responses[-1])
    assert question.get("numDigits") == "5" and "five-digit ZIP code" in spoken(question)
