"""Customer numbers on real calls (the ASGI app driven as Twilio drives it, on SQLite and PostgreSQL):
a re-prompt per kind of mistake, suspended and closed accounts, and an alphanumeric membership
number by keypad letters and by speech."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.customers.importer import import_customers
from bot.engine.bundle import load_bundle
from bot.store.db import transaction
from bot.store.models import Conversation, Event
from tests.conftest import BASE_URL, FLOWS, TOKEN, make_settings
from tests.member_flows import member_scheme_text, write_member_flows
from tests.twilio_phone import TwilioPhone

HEADER = "customer_number,full_name,date_of_birth,postcode,phone,email,segment,status\n"
DEFAULT_CUSTOMERS = (
    "1023456781,Alice Walker,1985-03-03,SW1A 1AA,,,personal,active\n"
    "2076543213,Robert Jones,1972-11-25,90210,,,business,suspended\n"
    "1055500018,David Closed,1961-01-31,EH1 1YZ,,,personal,closed\n"
)
MEMBER_CUSTOMERS = "MB1234567O,Maria Bravo,1980-02-01,M1 1AE,,,member,active\n"


def start_phone(tmp_path, url, flows_dir, rows):
    """An app on `flows_dir` with `rows` imported, and a way to dial it."""
    from fastapi.testclient import TestClient

    from webhooks.app import create_app

    bundle = load_bundle(flows_dir)
    csv = tmp_path / "customers.csv"
    csv.write_text(HEADER + rows, encoding="utf-8")
    with transaction(url) as session:
        report = import_customers(session, csv, schemes=bundle.schemes, region="GB", today=dt.date(2026, 11, 23))
    assert report.ok, report.rejected
    client = TestClient(create_app(make_settings(url, flows_dir=flows_dir)), base_url=BASE_URL)
    return client, lambda: TwilioPhone(client, token=TOKEN, base_url=BASE_URL).dial()


@pytest.fixture
def dial(tmp_path, database_url):
    client, make = start_phone(tmp_path, database_url, FLOWS, DEFAULT_CUSTOMERS)
    with client:
        yield make


@pytest.fixture
def dial_member(tmp_path, database_url):
    client, make = start_phone(tmp_path, database_url, write_member_flows(tmp_path / "flows"), MEMBER_CUSTOMERS)
    with client:
        yield make


def events(url, call_sid):
    with transaction(url) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.session_key == call_sid))
        return [(e.step, e.outcome, e.detail) for e in
                session.scalars(select(Event).where(Event.conversation_id == conversation.id).order_by(Event.id))]


# -- one re-prompt per kind of mistake (default flows) -------------------------------------------

@pytest.mark.parametrize(("entry", "kind", "heard"), [
    (("press", "102345678#"), "length", "A customer number has 10 digits."),
    (("say", "one zero two three four five six seven eight bravo"), "format", "A customer number only has digits."),
    (("press", "5012345678#"), "component", "A customer number starts with 10, 20 or 30."),
    (("press", "1023456782#"), "checksum", "That number doesn't look right. Please check it and enter it again, then press hash."),
])
def test_each_kind_of_mistake_gets_its_own_re_prompt(dial, database_url, entry, kind, heard):
    call = dial()
    how, value = entry
    getattr(call, how)(value)
    assert call.last.startswith(heard), call.last
    assert (("customer_number", "invalid", kind) in events(database_url, call.call_sid))
    call.press("1023456781#")
    assert "date of birth" in call.last


def test_the_re_prompts_differ(dial):
    heard = set()
    for entry in (("press", "102345678#"), ("say", "one zero two three four five six seven eight bravo"),
                  ("press", "5012345678#"), ("press", "1023456782#")):
        call = dial()
        getattr(call, entry[0])(entry[1])
        heard.add(call.last)
    assert len(heard) == 4


# -- suspended and closed (default flows) ------------------------------------------------------

def verify(call, number, dob, postcode):
    call.press(number + "#")
    call.press(dob)
    call.say(postcode)
    return call


def test_suspended_account_is_told_it_is_on_hold_and_put_through_to_account_review(dial, database_url):
    call = verify(dial(), "2076543213", "25111972", "90210")
    assert "on hold" in call.last and "no longer active" not in call.last
    assert call.handoff.verb == "Enqueue" and call.handoff.queue == "account_review"
    task = call.task
    assert task["verified"] is True and task["customer_status"] == "suspended"
    assert task["reason"] == "account-suspended" and task["department"] == "account_review"
    assert ("check_details", "account-suspended", None) in events(database_url, call.call_sid)


def test_closed_account_is_told_politely_and_put_through_to_customer_services(dial):
    call = verify(dial(), "1055500018", "31011961", "EH1 1YZ")
    assert "no longer active" in call.last and "on hold" not in call.last
    assert call.handoff.queue == "general"
    assert call.task["customer_status"] == "closed" and call.task["reason"] == "account-closed"


def test_suspending_a_number_changes_the_next_call(dial, database_url):
    from bot.issuance import change_status

    assert verify(dial(), "1023456781", "03031985", "SW1A 1AA").waiting  # the menu
    with transaction(database_url) as session:
        change_status(session, number="1023456781", new="suspended", reason="test", changed_by="pytest")
    call = verify(dial(), "1023456781", "03031985", "SW1A 1AA")
    assert call.task["reason"] == "account-suspended" and call.handoff.queue == "account_review"


# -- an alphanumeric membership number, end to end ------------------------------------------------

def finish_member_verification(call):
    assert "date of birth" in call.last, call.last
    call.press("01021980")
    call.say("M1 1AE")
    assert "you're verified" in call.last, call.last
    call.press("0")
    return call.task


def test_member_number_by_keypad_letters(dial_member, database_url):
    call = dial_member()
    assert "membership number" in call.last
    assert call.gather.get("numDigits") is None  # letters possible: the caller finishes with hash
    call.press("6212345676#")  # M=6 B=2 1234567 O=6
    assert call.last.startswith("I heard Mike Bravo"), call.last
    assert "Oscar" in call.last
    call.press("1")
    task = finish_member_verification(call)
    assert task["customer_number"] == "MB1234567O" and task["verified"] is True
    assert task["department"] == "membership"  # the MB prefix's department ($default)
    assert ("customer_number", "confirmed", None) in events(database_url, call.call_sid)


@pytest.mark.parametrize("speech", [
    "mike bravo one two three four five six seven oscar",
    "M as in Mike, B as in Bravo, 1 2 3 4 5 6 7, O as in Oscar",
])
def test_member_number_by_speech(dial_member, speech):
    call = dial_member()
    call.say(speech)
    if "I heard" in call.last:  # a low-confidence or repaired reading is read back first
        call.say("yes")
    assert finish_member_verification(call)["customer_number"] == "MB1234567O"


def test_member_keypad_mistakes_are_named(dial_member):
    call = dial_member()
    call.press("6212345677#")  # last key wrong: no valid number is typed that way
    assert call.last.startswith("That number doesn't look right")
    call.press("9912345676#")  # no prefix is typed 99
    assert call.last.startswith("A membership number starts with AS or MB")
    call.press("2712345676#")  # AS's keys, but the check fails: the third try, then a colleague
    assert call.task["verified"] is False and call.task["reason"] == "attempts-exhausted"


def test_member_number_with_prefixes_sharing_keys_is_confirmed_one_by_one(tmp_path, database_url):
    shared = member_scheme_text({"MB": "Member", "NA": "National associate", "OC": "Overseas club"})
    flows = write_member_flows(tmp_path / "flows", numbering=shared)
    client, dial = start_phone(tmp_path, database_url, flows, "NA12345737,Nadia Alfa,1980-02-01,M1 1AE,,,,\n"
                                                             "MB1234573S,Mike Bright,1975-05-05,SW1A 1AA,,,,\n")
    with client:
        call = dial()
        call.press("6212345737#")  # both numbers are typed this way, and both are on record
        assert call.last.startswith("I heard Mike Bravo")
        call.say("no")
        assert call.last.startswith("I heard November Alpha")
        call.say("yes")
        task = finish_member_verification(call)
    assert task["customer_number"] == "NA12345737"
