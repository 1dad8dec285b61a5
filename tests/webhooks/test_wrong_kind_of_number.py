"""Wrong kind of number: a card, a phone, an order number given instead of the customer number each get
their own explanation and where the customer number is found; a card number is never stored, logged,
echoed or sent anywhere afterwards. On voice (keypad and speech), SMS and web chat, SQLite and PostgreSQL."""
from __future__ import annotations

import io
import logging
import re

import pytest
from sqlalchemy import inspect, select, text

from bot.logging_setup import install_redaction
from bot.store.db import get_engine, transaction
from bot.store.models import ChatMessage, Event
from tests.chat_clients import Texter, WebChat
from tests.conftest import BASE_URL, TOKEN

CARD = "4539148803436467"  # Luhn-valid, 16 digits: a Visa-shaped test number
CARD_SPACED = "4539 1488 0343 6467"
CARD_SPOKEN = "four five three nine one four eight eight zero three four three six four six seven"
WHERE = "Your customer number is at the top of your statements and letters from us, labelled Customer ID"


def test_a_card_a_phone_and_an_order_number_each_get_their_own_explanation_on_a_call(phone):
    call = phone().dial()
    call.press(CARD + "#")
    assert call.last.startswith("That sounds like a payment card number. For your security, please never give us "
                                "your card number.")
    assert WHERE in call.last and "It has 10 digits and starts with 10, 20 or 30. Please enter it, then press hash." \
        in call.last
    call.say("oh seven nine one one one two three four five six")
    assert call.last.startswith("That sounds like a phone number, not a customer number.") and WHERE in call.last
    call.press("71234567#")
    # Each explanation is a failed try at the question: the third sends the caller on, as any mistake does.
    assert not call.waiting and call.task["verified"] is False and call.task["reason"] == "attempts-exhausted"
    again = phone().dial()
    again.press("71234567#")
    assert again.last.startswith("That sounds like an order number; order numbers start with 7.")
    assert WHERE in again.last


def test_each_explanation_is_counted_by_its_kind_and_a_real_number_still_works(phone, database_url):
    call = phone().dial()
    call.press(CARD + "#")
    call.press("1023456781#")
    assert "date of birth" in call.last
    with transaction(database_url) as session:
        details = [e.detail for e in session.scalars(select(Event).where(Event.outcome == "invalid"))]
    assert details == ["card"]


def test_web_chat_and_sms_explain_in_writing(http):
    chat = WebChat(http).open()
    chat.send("my order number is ORD-71234567")
    assert chat.last.startswith("That sounds like an order number") and "Please type it here." in chat.last
    chat.send("+44 7911 123456")
    assert chat.last.startswith("That sounds like a phone number")
    texter = Texter(http, token=TOKEN, base_url=BASE_URL)
    texter.text("hello")
    texter.text("INV-123456")
    assert texter.last.startswith("That looks like an invoice number.")
    texter.text("12-34-56 12345678")
    assert texter.last.startswith("That sounds like a bank sort code and account number")


def test_a_spanish_caller_is_told_in_spanish(phone):
    call = phone().dial()
    call.press("9", early=True)
    call.press(CARD + "#")
    assert call.last.startswith("Eso parece el número de una tarjeta de pago.")
    assert "Tiene 10 dígitos y empieza por 10, 20 o 30. Introdúzcalo y pulse almohadilla." in call.last


@pytest.fixture
def captured_logs():
    """Every log record at every level, through the redaction filter every production handler has."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    install_redaction(handler)
    raw: list[str] = []

    class Raw(logging.Handler):
        def emit(self, record):  # what code passed to the logger, before any handler's filter
            raw.append(f"{record.msg} {record.args}")

    raw_handler = Raw(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(raw_handler)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: stream.getvalue() + "\n".join(raw)
    root.removeHandler(handler)
    root.removeHandler(raw_handler)
    root.setLevel(level)


def every_value(url: str) -> list[tuple[str, str]]:
    """(table.column, value) for every value in every table of the database."""
    engine = get_engine(url)
    found = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                found += [(f"{table}.{column}", str(value)) for column, value in zip(columns, row) if value is not None]
    return found


def test_a_card_number_appears_nowhere_afterwards(app, http, phone, database_url, captured_logs):
    # A call: the card keyed in, then said; then the caller carries on and is put through.
    call = phone().dial()
    call.press(CARD + "#")
    call.say(CARD_SPOKEN)
    assert call.last.startswith("That sounds like a payment card number")
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    call.press("1")
    assert call.task["verified"] is True and CARD not in str(call.task)
    call.leave_queue("hangup", waited=12)
    # A web chat: the card typed with spaces, then the customer asks for an agent (a desk handoff).
    chat = WebChat(http).open()
    chat.send(CARD_SPACED)
    assert chat.last.startswith("That sounds like a payment card number")
    chat.send("agent")
    assert chat.handoff is not None
    # An SMS: the card as words, and inside a sentence.
    texter = Texter(http, token=TOKEN, base_url=BASE_URL)
    texter.text("hi")
    texter.text(f"it's {CARD_SPACED}")
    assert texter.last.startswith("That sounds like a payment card number")
    texter.text(CARD_SPOKEN)
    assert texter.last.startswith("That sounds like a payment card number")

    wanted = (CARD, CARD[:12])
    leaks = [(where, value) for where, value in every_value(database_url)
             if any(w in re.sub(r"[\s\-]", "", value) for w in wanted)]
    assert leaks == []
    logs = re.sub(r"[\s\-]", "", captured_logs())
    assert "conversation" in logs  # the turns were logged...
    assert not any(w in logs for w in wanted)  # ...and never with the card
    every_reply = " ".join(call.responses) + str(chat.replies) + str(texter.replies)
    assert not any(w in re.sub(r"[\s\-]", "", every_reply) for w in wanted)  # never echoed
    with transaction(database_url) as session:
        kept = [m.text for m in session.scalars(select(ChatMessage).where(ChatMessage.sender == "customer"))]
    assert kept.count("[card or account number withheld]") == 3  # what was sent is kept as a placeholder


def test_a_card_typed_at_any_question_in_chat_stays_out_of_the_transcript(http, database_url):
    chat = WebChat(http).open()
    chat.send("1023456781")
    chat.send("25/12/1980")
    chat.send("SW1A 1AA")
    chat.send("1")  # an unverified caller goes to the general team; the handoff carries the transcript
    chat = WebChat(http).open()
    chat.send(f"can you charge {CARD_SPACED} please")
    with transaction(database_url) as session:
        kept = [m.text for m in session.scalars(select(ChatMessage))]
    assert not any(CARD in re.sub(r"[\s\-]", "", t) for t in kept)
