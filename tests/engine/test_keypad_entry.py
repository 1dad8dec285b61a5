"""Letters typed on the keypad, in the engine alone: read back one candidate at a time, narrowed
by the directory's keypad index, and re-prompted by what is actually wrong."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.engine.bundle import bundle_from_texts
from bot.engine.steps.keypad_entry import MAX_READBACKS, keypad_problem
from bot.records import CustomerRecord
from tests.engine.fakes import MemoryDirectory, memory_services
from tests.engine.test_runner import Conversation
from tests.member_flows import member_flow_texts, member_scheme_text

MARIA = CustomerRecord(number="MB1234567O", full_name="Maria Bravo", date_of_birth=dt.date(1980, 2, 1),
                       postcode="SW1A 1AA", segment="member")
# Prefixes that share keys (M/N/O are all on 6, A/B/C on 2): the case docs/numbering.md warns
# about. With three of them, 6212345737 spells two valid numbers; with nine, 6210000039 spells four.
SHARED = {"MB": "Member", "NA": "National associate", "OC": "Overseas club"}
CROWDED = {a + b: "Member" for a in "MNO" for b in "ABC"}


@pytest.fixture(scope="module")
def member_bundle():
    return bundle_from_texts(member_flow_texts())


@pytest.fixture(scope="module")
def shared_bundle():
    return bundle_from_texts(member_flow_texts(member_scheme_text(SHARED)))


@pytest.fixture(scope="module")
def crowded_bundle():
    return bundle_from_texts(member_flow_texts(member_scheme_text(CROWDED)))


def services(*records: CustomerRecord):
    base = memory_services()
    return type(base)(directory=MemoryDirectory({r.number: r for r in records}), ledger=base.ledger,
                      audit=base.audit, clock=base.clock)


def record(number: str) -> CustomerRecord:
    return CustomerRecord(number=number, full_name="Test Person", date_of_birth=dt.date(1980, 1, 1), postcode="SW1A 1AA")


def test_keyed_letters_are_read_back_then_used(member_bundle):
    convo = Conversation(member_bundle, services(MARIA))
    assert convo.reply.expect.num_digits is None  # letters possible: the caller ends with hash
    reply = convo.send("digits", "6212345676#")
    assert reply.text.startswith("I heard Mike Bravo")
    assert "Oscar" in reply.text and "press 1" in reply.text
    assert convo.state.pending["value"] == "MB1234567O" and convo.state.pending["alternatives"] == []
    convo.send("digits", "1")
    assert convo.state.customer_number == "MB1234567O" and convo.state.step == "date_of_birth"


def test_an_unknown_number_is_read_back_just_like_a_known_one(member_bundle):
    known = Conversation(member_bundle, services(MARIA))
    unknown = Conversation(member_bundle, services())
    assert known.send("digits", "6212345676").text == unknown.send("digits", "6212345676").text
    assert known.send("speech", "yes").text == unknown.send("speech", "yes").text


def test_no_to_the_only_reading_asks_again_and_counts(member_bundle):
    convo = Conversation(member_bundle, services(MARIA))
    convo.send("digits", "6212345676")
    reply = convo.send("speech", "no")
    assert reply.text.startswith("Please key in your membership number")
    assert convo.state.attempts("customer_number") == 1 and convo.state.customer_number is None


def test_several_readings_are_offered_one_by_one(shared_bundle):
    assert shared_bundle.schemes.keypad_candidates("6212345737") == ["MB1234573S", "NA12345737"]
    convo = Conversation(shared_bundle, services())
    first = convo.send("digits", "6212345737#")
    assert first.text.startswith("I heard Mike Bravo")  # MB1234573S
    second = convo.send("speech", "no")
    assert second.text.startswith("I heard November Alpha")  # NA12345737
    assert convo.state.attempts("customer_number") == 0  # choosing is not failing
    assert "alternative" in [e.detail for e in convo.events]
    convo.send("digits", "1")
    assert convo.state.customer_number == "NA12345737" and convo.state.step == "date_of_birth"


def test_no_to_every_reading_asks_again(shared_bundle):
    convo = Conversation(shared_bundle, services())
    convo.send("digits", "6212345737")
    convo.send("digits", "2")
    reply = convo.send("digits", "2")
    assert reply.text.startswith("Please key in your membership number")
    assert convo.state.attempts("customer_number") == 1 and convo.state.pending is None


def test_the_directory_narrows_the_readings_to_numbers_on_record(shared_bundle):
    convo = Conversation(shared_bundle, services(record("NA12345737")))
    reply = convo.send("digits", "6212345737")
    assert reply.text.startswith("I heard November Alpha")
    assert convo.state.pending["alternatives"] == []


def test_too_many_readings_ask_the_caller_to_say_it(crowded_bundle):
    assert len(crowded_bundle.schemes.keypad_candidates("6210000039")) > MAX_READBACKS
    convo = Conversation(crowded_bundle, services())
    reply = convo.send("digits", "6210000039")
    assert "say your membership number instead" in reply.text
    known = Conversation(crowded_bundle, services(record("NB1000003Z")))
    assert known.send("digits", "6210000039").text.startswith("I heard November Bravo")


@pytest.mark.parametrize(("digits", "kind", "wording"), [
    ("62123456", "length", "has 10 characters"),
    ("9912345676", "component", "starts with AS or MB"),
    ("6212345677", "checksum", "doesn't look right"),
])
def test_keyed_mistakes_are_named_by_what_is_wrong(member_bundle, digits, kind, wording):
    assert keypad_problem(member_bundle.schemes, digits) == kind
    convo = Conversation(member_bundle, services(MARIA))
    reply = convo.send("digits", digits + "#")
    assert wording in reply.text
    assert ("invalid", kind) in [(e.outcome, e.detail) for e in convo.events]


@pytest.mark.parametrize("speech", [
    "mike bravo one two three four five six seven oscar",
    "M as in Mike B as in Bravo 1 2 3 4 5 6 7 O as in Oscar",
])
def test_spoken_letters_need_no_keypad(member_bundle, speech):
    convo = Conversation(member_bundle, services(MARIA))
    convo.send("speech", speech, confidence=0.9)
    assert convo.state.customer_number == "MB1234567O" and convo.state.step == "date_of_birth"
