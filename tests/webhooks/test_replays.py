"""Replays do nothing. Every signed request Twilio sends can be captured and sent again (the signature
has no timestamp): an SMS is processed once per MessageSid whatever arrives later, a request for a call
that has ended or for a turn already past gets a short hang-up and never a stored reply, and a web chat
token stops working once its chat has been handed over."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from bot.store.db import transaction
from bot.store.models import Conversation, DeskDelivery, VerificationDecision
from tests.chat_clients import Texter, WebChat
from tests.conftest import BASE_URL, TOKEN

ALICE = "1023456781"
HANG_UP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup /></Response>'


def count(url, model) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_sms_verification_replayed_message_by_message_does_nothing(http, database_url):
    texter = Texter(http, token=TOKEN, base_url=BASE_URL)
    sids = [f"SM{i:032x}" for i in range(1, 6)]
    for sid, body in zip(sids, ("Hello", ALICE, "3 March 1985", "SW1A 1AA", "billing")):
        texter.text(body, message_sid=sid)
    assert "connecting you" in texter.last
    before = (count(database_url, Conversation), count(database_url, VerificationDecision),
              count(database_url, DeskDelivery))
    for sid, body in zip(sids, ("Hello", ALICE, "3 March 1985", "SW1A 1AA", "billing")):
        texter.text(body, message_sid=sid)  # the same five signed requests again
        assert texter.replies[-1] == []  # nothing is sent back, and nothing runs
    assert (count(database_url, Conversation), count(database_url, VerificationDecision),
            count(database_url, DeskDelivery)) == before


def test_twilio_delivering_the_latest_message_twice_gets_the_same_answer(http, database_url):
    texter = Texter(http, token=TOKEN, base_url=BASE_URL)
    texter.text("Hello", message_sid="SM" + "a" * 32)
    texter.text(ALICE, message_sid="SM" + "b" * 32)
    texter.text(ALICE, message_sid="SM" + "b" * 32)
    assert texter.replies[-1] == texter.replies[-2] and "date of birth" in texter.last
    # An older message sent again is not answered: only the one just answered may be a lost reply.
    texter.text("Hello", message_sid="SM" + "a" * 32)
    assert texter.replies[-1] == []


def test_a_call_that_has_ended_hangs_up_on_every_replayed_request(phone, database_url):
    call = phone().dial()
    start = call.responses[0]
    call.press(ALICE + "#")
    turn_action = ET.fromstring(call.responses[-1]).find("Gather").get("action")
    call.say("the third of March nineteen eighty five", confidence=0.3)
    assert "Was that 3 March 1985" in call.last
    call.hang_up()
    replayed_start = call._post(BASE_URL + "/twilio/voice", {})
    assert replayed_start.status_code == 200 and replayed_start.text == HANG_UP
    assert replayed_start.text != start
    replayed_turn = call._post(call._url(turn_action), {"SpeechResult": "the third of March nineteen eighty five",
                                                         "Confidence": "0.30"})
    assert replayed_turn.text == HANG_UP
    with transaction(database_url) as session:
        conversation = session.scalar(select(Conversation))
    assert conversation.last_response is None and conversation.state["pending"] is None


def test_an_old_turn_replayed_during_a_call_gets_a_hang_up_not_the_current_reply(phone):
    call = phone().dial()
    call.press(ALICE + "#")
    first_action = ET.fromstring(call.responses[0]).find("Gather").get("action")
    call.say("the third of March nineteen eighty five", confidence=0.3)
    assert "Was that 3 March 1985" in call.last  # the reply now stored reads the date back
    # The start request again, and the first turn's request again: neither is a retry of the current turn.
    assert call._post(BASE_URL + "/twilio/voice", {}).text == HANG_UP
    assert call._post(call._url(first_action), {"Digits": ALICE, "FinishedOnKey": "#"}).text == HANG_UP
    # The call itself goes on.
    call.say("yes")
    assert "postcode" in call.last


def test_a_web_chat_token_is_refused_once_the_chat_was_handed_over(http):
    chat = WebChat(http).open()
    for text in (ALICE, "3 March 1985", "SW1A 1AA", "1"):
        chat.send(text)
    assert chat.handoff is not None and chat.ended
    response = chat.post("hello again")
    assert response.status_code == 410 and "start a new chat" in response.json()["detail"]
