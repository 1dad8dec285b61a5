"""Nothing a caller answers is readable at rest. After a full set of calls and chats on every channel
(keypad and speech, read-backs, email, last four, PIN, a one-time code, a handoff, a failure, a call
hung up during a read-back and one still waiting at a read-back), every table but `customers` is
dumped as the database holds it and searched for the answers in every form they could be written in."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from bot.store.db import get_engine
from tests.chat_clients import Texter, WebChat
from tests.conftest import BASE_URL, TOKEN
from tests.twilio_phone import TwilioPhone
from tests.verification import variants
from tests.verification.test_verification_calls import set_pin

ALICE, ALICE_PHONE, PIN = "1023456781", "+447911123456", "4821"

# Every written form of Alice's answers: date of birth, postcode, email, last four of her phone, PIN.
NEEDLES = [
    "1985-03-03", "03031985", "03/03/1985", "3/3/1985", "03-03-1985", "3 March 1985", "March 3", "third of March",
    "3rd of March", "nineteen eighty five", "nineteen eighty-five", "1985",
    "SW1A 1AA", "SW1A1AA", "S W 1 A", "S W one A", "1AA",
    "alice.walker@example.com", "alice.walker", "alice dot walker", "example dot com",
    "3456", "three four five six", "3 4 5 6",
    PIN, "four eight two one", "4 8 2 1",
]

EXTRA_STEPS = '''
  email_question:
    type: ask
    factor: email
    prompt: "Please say the email address we have for you."
    no_input: ["Sorry, I didn't get that. Please say your email address."]
    no_match: ["Sorry, I couldn't make that out. Please say your email address."]
    confirm:
      voice: "Was that {email}? Press 1 or say yes, press 2 or say no."
      chat: "Is your email {email}? Reply yes or no."
    gather:
      input: speech
    max_attempts: 3
    next: last_four_question
    on_fail: to_general

  last_four_question:
    type: ask
    factor: last_four
    prompt: "Please key in the last four digits of your phone number."
    no_input: ["Sorry, I didn't get that. Please key in the last four digits of your phone number."]
    no_match: ["Sorry, I couldn't make that out. Please key in the last four digits of your phone number."]
    max_attempts: 3
    next: pin_question
    on_fail: to_general

  pin_question:
    type: ask
    factor: pin
    prompt: "Please key in your PIN, then press hash."
    no_input: ["Sorry, I didn't get that. Please key in your PIN, then press hash."]
    no_match: ["Sorry, I couldn't make that out. Please key in your PIN, then press hash."]
    max_attempts: 3
    next: check_details
    on_fail: to_general
'''


def every_factor_flow() -> dict[str, str]:
    texts = variants.add_steps(variants.step_up(), "    next: check_details\n", "    next: email_question\n", EXTRA_STEPS)
    return variants.policy(texts, "all_of: [date_of_birth, postcode, email, last_four, pin]")


@pytest.fixture
def client(customers, client_for):
    set_pin(customers, ALICE, PIN)
    return client_for(every_factor_flow())


def dump(url: str) -> dict[str, str]:
    """Every table but customers, as the database holds it (no column type decodes anything)."""
    engine = get_engine(url)
    tables = [t for t in inspect(engine).get_table_names() if t not in ("customers", "alembic_version")]
    with engine.connect() as conn:
        return {t: "\n".join(" | ".join(str(v) for v in row) for row in conn.execute(text(f"SELECT * FROM {t}")))
                for t in tables}


# Timestamps (every row has some) are taken out first: the microseconds of one could be a code.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")


def found(tables: dict[str, str], needle: str) -> list[str]:
    # As a value of its own: not inside a longer number or a random id.
    pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(needle)}(?![0-9A-Za-z])", re.IGNORECASE)
    return [name for name, content in tables.items() if pattern.search(TIMESTAMP.sub("<time>", content))]


def test_no_answer_is_readable_at_rest_after_calls_and_chats_on_every_channel(client, customers, verify_server):
    codes: list[str] = []

    def code_for(phone: str) -> str:
        codes.append(verify_server.fake.last_code(phone))
        return codes[-1]

    # Voice: keypad and speech, every read-back confirmed, verified, stepped up with a code, handed over.
    call = TwilioPhone(client, token=TOKEN, base_url=BASE_URL).dial()
    call.press(ALICE + "#")
    call.press("03031985")
    call.say("S W 1 A 1 A A", confidence=0.3)
    assert "Was that" in call.last
    call.say("yes")
    call.say("alice dot walker at example dot com", confidence=0.3)
    assert "Was that alice dot walker at example dot com" in call.last
    call.say("yes")
    call.press("3456")
    call.press(PIN + "#")
    assert "you're verified" in call.last
    call.press("1")
    call.press(code_for(ALICE_PHONE))
    assert call.task["department"] == "billing" and "one_time_code" in call.task["factors"]
    call.hang_up()

    # Voice: hung up while the date of birth was being read back; and one still waiting at it.
    for hang_up in (True, False):
        spoken = TwilioPhone(client, token=TOKEN, base_url=BASE_URL).dial()
        spoken.press(ALICE + "#")
        spoken.say("the third of March nineteen eighty five", confidence=0.3)
        assert "Was that 3 March 1985" in spoken.last
        if hang_up:
            spoken.hang_up()

    # Voice: wrong answers, counted.
    wrong = TwilioPhone(client, token=TOKEN, base_url=BASE_URL).dial()
    for step in (lambda: wrong.press(ALICE + "#"), lambda: wrong.press("03031985"), lambda: wrong.say("SW1A 1AA"),
                 lambda: wrong.say("alice.walker@example.com"), lambda: wrong.press("3456"), lambda: wrong.press("1234#")):
        step()
    assert "don't match our records" in wrong.last

    # SMS from Alice's phone and WhatsApp: typed answers in other forms.
    for sender, date, postcode in (("+447911123456", "3 March 1985", "sw1a 1aa"), ("whatsapp:+447911123456", "03/03/1985", "SW1A1AA")):
        texter = Texter(client, token=TOKEN, base_url=BASE_URL, from_=sender)
        for message in ("Hello", ALICE, date, postcode, "alice.walker@example.com", "3456", PIN, "billing"):
            texter.text(message)
        texter.text(code_for(ALICE_PHONE))
        assert "connecting you" in texter.last

    # Web chat.
    chat = WebChat(client).open()
    for message in (ALICE, "3/3/1985", "SW1A 1AA", "Alice.Walker@example.com", "3456", PIN, "1"):
        chat.send(message)
    chat.send(code_for(ALICE_PHONE))
    assert chat.handoff["department"] == "billing" and chat.handoff["verified"] is True

    tables = dump(customers)
    assert tables["conversations"] and tables["chat_messages"] and tables["desk_deliveries"]
    leaks = {needle: found(tables, needle) for needle in NEEDLES + codes}
    assert not {needle: where for needle, where in leaks.items() if where}, "answers readable at rest"
    # Sealed is not enough for a conversation that is over: its answers are gone from the state.
    from sqlalchemy import select

    from bot.store.db import transaction
    from bot.store.models import Conversation

    with transaction(customers) as session:
        rows = session.scalars(select(Conversation)).all()
    closed = [c for c in rows if c.status == "closed"]
    assert len(closed) >= 4 and any(c.status == "active" and c.state["pending"] for c in rows)
    for conversation in closed:
        assert (conversation.state["pending"], conversation.state["partial"], conversation.state["factors"]) == (None, None, {})
        assert conversation.last_response is None or conversation.end_reason == "handoff"
