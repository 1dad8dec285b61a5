"""Verification rules end to end on both stores: N-of-M with the new factors, caller ID that only
identifies unless a policy counts it, lockout across voice and chat, unlock, velocity limits,
identical prompts for unknown numbers and wrong answers, retried webhooks counted once."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.settings import get_settings
from bot.store.db import transaction
from bot.store.models import Customer, FailedAttempt, VerificationDecision
from bot.verification.pins import hash_pin
from tests.conftest import FLOWS
from tests.verification import variants

ALICE = "1023456781"
ALICE_PHONE = "+447911123456"
UNKNOWN = "1055500026"  # valid check digit, not a customer
PIN_RULE = "at_least: 2\n    of: [date_of_birth, postcode, pin]"


def set_pin(url, number, pin):
    with transaction(url) as session:
        session.execute(update(Customer).where(Customer.customer_number == number).values(pin_hash=hash_pin(pin)))


def call_through(call, number=ALICE, dob="03031985", postcode="SW1A 1AA", pin=None):
    call.press(number + "#")
    call.press(dob)
    call.say(postcode)
    if pin is not None:
        call.press(pin + "#")
    return call


def chat_through(chat, number=ALICE, dob="03/03/1985", postcode="SW1A 1AA"):
    chat.send(number)
    if "yes or no" in chat.last:
        chat.send("yes")
    chat.send(dob)
    chat.send(postcode)
    return chat


def count(url, model, *where) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def decisions(url):
    with transaction(url) as session:
        return [(d.channel, d.result, d.reason) for d in session.scalars(select(VerificationDecision).order_by(VerificationDecision.id))]


# -- N of M with new factors ------------------------------------------------------------------------

@pytest.mark.parametrize("dob, postcode, pin, verified", [
    ("03031985", "SW1A 1AA", "4821", True),
    ("03031985", "SW1A 1AA", "0000", True),
    ("03031985", "EH1 1YZ", "4821", True),
    ("01011970", "SW1A 1AA", "4821", True),
    ("01011970", "EH1 1YZ", "4821", False),
    ("03031985", "EH1 1YZ", "0000", False),
    ("01011970", "SW1A 1AA", "0000", False),
])
def test_two_of_three_with_a_pin(app_for, customers, dob, postcode, pin, verified):
    set_pin(customers, ALICE, "4821")
    phone, _ = app_for(variants.policy(variants.ask_after_postcode(variants.shipped(), "pin", "Please key in your PIN, then press hash."),
                                       PIN_RULE))
    call = call_through(phone().dial(), dob=dob, postcode=postcode, pin=pin)
    if verified:
        assert "you're verified" in call.last
    else:
        assert "don't match our records" in call.last
    with transaction(customers) as session:
        decision = session.scalar(select(VerificationDecision).order_by(VerificationDecision.id.desc()))
    assert decision.result == ("verified" if verified else "failed")
    assert decision.factors_asked == ["date_of_birth", "postcode", "pin"]
    assert len(decision.factors_passed) == [dob == "03031985", postcode == "SW1A 1AA", pin == "4821"].count(True)


def test_last_four_and_email_as_factors(app_for, customers):
    texts = variants.ask_after_postcode(variants.shipped(), "last_four", "Please key in the last four digits of your phone number.")
    texts = variants.policy(texts, "all_of: [date_of_birth, {any_of: [postcode, last_four]}]")
    phone, _ = app_for(texts)
    call = call_through(phone().dial(), postcode="EH1 1YZ")
    call.press("3456")
    assert "you're verified" in call.last
    call = call_through(phone().dial(), postcode="EH1 1YZ")
    call.press("3457")
    assert "don't match our records" in call.last


def test_a_department_requiring_a_factor_the_caller_did_not_pass_gets_general_instead(app_for, customers):
    set_pin(customers, ALICE, "4821")
    texts = variants.policy(variants.ask_after_postcode(variants.shipped(), "pin", "Please key in your PIN, then press hash."),
                            PIN_RULE)
    texts["policy.yaml"] = variants.replace(texts["policy.yaml"], "departments: {}", "departments:\n  cards:\n    require: [pin]")
    phone, _ = app_for(texts)
    without = call_through(phone().dial(), pin="0000")  # verified on date of birth and postcode
    without.press("2")
    assert without.task["department"] == "general" and without.task["reason"] == "step-up-required"
    assert without.task["verified"] is True
    with_pin = call_through(phone().dial(), pin="4821")
    with_pin.press("2")
    assert with_pin.task["department"] == "cards" and "pin" in with_pin.task["factors"]


# -- caller ID --------------------------------------------------------------------------------------

def test_caller_id_offers_the_account_then_the_questions_follow(app_for):
    phone, _ = app_for(variants.identify(variants.shipped()))
    call = phone(from_=ALICE_PHONE).dial()
    assert "Are you calling about the account ending 6781" in call.last
    call.press("1")
    assert "date of birth" in call.last  # identified, not verified
    call.press("03031985")
    call.say("SW1A 1AA")
    assert "you're verified" in call.last
    declined = phone(from_=ALICE_PHONE).dial()
    declined.say("no")
    assert "customer number" in declined.last


def test_an_identified_locked_account_is_refused_like_a_keyed_one(app_for, database_url):
    phone, _ = app_for(variants.identify(variants.shipped()))
    for _ in range(3):
        call_through(phone().dial(), dob="01011970")
    call = phone(from_=ALICE_PHONE).dial()
    call.press("1")
    assert "For your security" in call.last
    assert call.task["locked"] is True and call.task["verified"] is False
    assert decisions(database_url)[-1] == ("voice", "locked", "locked")


@pytest.mark.parametrize("caller", ["anonymous", "+447700900123", "client:alice"])
def test_withheld_or_unknown_caller_ids_are_not_offered_anything(app_for, caller):
    phone, _ = app_for(variants.identify(variants.shipped()))
    call = phone(from_=caller).dial()
    assert "account ending" not in call.last and "customer number" in call.last


@pytest.mark.parametrize("rule, caller, verified", [
    ("at_least: 2\n    of: [caller_id, date_of_birth, postcode]", ALICE_PHONE, True),
    ("at_least: 2\n    of: [caller_id, date_of_birth, postcode]", "+447700900123", False),
    ("at_least: 2\n    of: [caller_id, date_of_birth, postcode]", "anonymous", False),
    ("all_of: [date_of_birth, postcode]", ALICE_PHONE, False),  # not listed: caller ID does not count
])
def test_caller_id_counts_as_a_factor_only_where_the_policy_says_so(app_for, rule, caller, verified):
    phone, _ = app_for(variants.policy(variants.shipped(), rule))
    call = call_through(phone(from_=caller).dial(), dob="01011970")  # the date of birth is wrong
    assert ("you're verified" in call.last) is verified


# -- lockout across channels, unlock ----------------------------------------------------------------

def test_failures_on_voice_and_chat_lock_the_number_on_both(phone, http, database_url):
    from tests.chat_clients import WebChat

    call_through(phone().dial(), dob="01011970")
    assert count(database_url, FailedAttempt) == 1
    chat = chat_through(WebChat(http).open(), dob="01/01/1970")
    assert "don't match our records" in chat.last
    assert count(database_url, FailedAttempt) == 2
    call = phone().dial()
    call_through(call, dob="01011970")
    assert call.task["locked"] is True
    # Locked now, everywhere: the right details no longer verify, on voice or chat.
    later = phone().dial()
    later.press(ALICE + "#")
    assert "For your security" in later.last and later.task["verified"] is False
    chat = WebChat(http).open()
    chat.send(ALICE)
    if "yes or no" in chat.last:
        chat.send("yes")
    assert "For your security" in chat.last and chat.handoff["locked"] is True
    channels = {row[0] for row in decisions(database_url)}
    assert channels == {"voice", "web"}
    assert ("web", "locked", "locked") in decisions(database_url)


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_unlock_from_the_command_line_with_an_audit_record(phone, cli_env, database_url):
    for _ in range(3):
        call_through(phone().dial(), dob="01011970")
    locked = phone().dial()
    locked.press(ALICE + "#")
    assert locked.task["locked"] is True
    result = cli_env.invoke(cli, ["customers", "unlock", ALICE, "--reason", "identity checked in branch", "--by", "agent7"])
    assert result.exit_code == 0, result.output
    assert "******6781: unlocked (1 open lock cleared)" in result.output
    call = call_through(phone().dial())
    assert "you're verified" in call.last
    with transaction(database_url) as session:
        unlocked = session.scalar(select(VerificationDecision).where(VerificationDecision.result == "unlocked"))
    assert (unlocked.actor, unlocked.reason, unlocked.customer_number) == ("agent7", "identity checked in branch", ALICE)
    bad = cli_env.invoke(cli, ["customers", "unlock", "1023456782", "--reason", "x"])
    assert bad.exit_code == 1 and "not a valid customer number" in bad.output


# -- velocity ---------------------------------------------------------------------------------------

def test_one_caller_id_trying_many_numbers_is_slowed_down(app_for, database_url):
    texts = variants.shipped()
    texts["policy.yaml"] = variants.replace(texts["policy.yaml"], "caller_id: {threshold: 10, window_minutes: 60}",
                                            "caller_id: {threshold: 3, window_minutes: 60}")
    phone, chat = app_for(texts)
    for number in (ALICE, "2076543213", UNKNOWN):
        call_through(phone(from_="+447700900999").dial(), number=number, dob="01011970")
    # A fourth number, even the right details: refused, as a lock would be. Another caller is not.
    refused = phone(from_="+447700900999").dial()
    refused.press("3011122238#")
    assert "For your security" in refused.last and refused.task["verified"] is False
    assert ("voice", "locked", "velocity") in decisions(database_url)
    fine = call_through(phone(from_="+447700900123").dial(), number="3011122238", dob="14071990", postcode="M1 1AE")
    assert "you're verified" in fine.last
    # Web chat counts by client address, separately from caller IDs.
    assert "verified" in chat_through(chat(), number="3011122238", dob="14/07/1990", postcode="M1 1AE").last


# -- no oracle for enumeration ----------------------------------------------------------------------

def test_unknown_numbers_hear_what_wrong_answers_hear_with_every_factor(app_for, customers):
    set_pin(customers, ALICE, "4821")
    texts = variants.ask_after_postcode(variants.shipped(), "pin", "Please key in your PIN, then press hash.")
    phone, _ = app_for(variants.policy(texts, "all_of: [date_of_birth, postcode, pin]"))
    wrong = call_through(phone().dial(), dob="03031985", postcode="SW1A 1AA", pin="0000")
    unknown = call_through(phone().dial(), number=UNKNOWN, pin="4821")
    assert wrong.log.turns == unknown.log.turns
    again_wrong = call_through(phone().dial(), dob="03031985", postcode="SW1A 1AA", pin="0000")
    again_unknown = call_through(phone().dial(), number=UNKNOWN, pin="4821")
    assert again_wrong.log.turns == again_unknown.log.turns
    # The third failure locks both; the locked prompt is the same too.
    third_wrong = call_through(phone().dial(), pin="0000")
    third_unknown = call_through(phone().dial(), number=UNKNOWN, pin="4821")
    assert third_wrong.log.turns == third_unknown.log.turns
    assert third_wrong.task["locked"] is True and third_unknown.task["locked"] is True
    locked_known, locked_unknown = phone().dial(), phone().dial()
    locked_known.press(ALICE + "#")
    locked_unknown.press(UNKNOWN + "#")
    assert locked_known.log.turns == locked_unknown.log.turns


def test_unknown_numbers_hear_what_wrong_answers_hear_in_chat(http):
    from tests.chat_clients import WebChat

    wrong = chat_through(WebChat(http).open(), dob="14/03/1985")
    unknown = chat_through(WebChat(http).open(), number=UNKNOWN, dob="14/03/1985")
    assert "don't match our records" in wrong.last
    assert [r["messages"] for r in wrong.replies] == [r["messages"] for r in unknown.replies]


def test_a_code_as_a_factor_reveals_nothing_about_the_number(app_for, verify_server):
    texts = variants.step_up()
    texts["default.yaml"] = variants.replace(texts["default.yaml"], "    next: check_details\n    on_fail: to_general\n",
                                             "    next: code_factor\n    on_fail: to_general\n")
    texts["default.yaml"] += variants.STEP_UP_STEP.replace("step_up_code:", "code_factor:").replace(
        "For payments I need to check it's really you. ", "").replace("next: to_department", "next: check_details")
    phone, _ = app_for(variants.policy(texts, "all_of: [date_of_birth, postcode, one_time_code]"))
    known = call_through(phone().dial(), dob="04031985")
    known.press("123456")
    unknown = call_through(phone().dial(), number=UNKNOWN)
    unknown.press("123456")
    assert "your phone on file" in known.log.turns[-2] and "ending" not in known.log.turns[-2]
    assert known.log.turns == unknown.log.turns
    assert [to for to, _ in verify_server.fake.outbox] == [ALICE_PHONE]  # the unknown number sent nothing


# -- a retried webhook counts once ------------------------------------------------------------------

def test_a_retried_verification_webhook_counts_once(phone, database_url):
    call = phone().dial()
    call.press(ALICE + "#")
    call.press("01011970")
    action = ET.fromstring(call.responses[-1]).find("Gather").get("action")
    call.say("SW1A 1AA")
    assert "don't match our records" in call.last
    for _ in range(2):  # Twilio retries: same CallSid, same turn, same speech
        again = call._post(call._url(action), {"SpeechResult": "SW1A 1AA", "Confidence": "0.92"})
        assert again.text == call.responses[-1]
    assert count(database_url, FailedAttempt) == 1
    assert [r for r in decisions(database_url)] == [("voice", "failed", "details-mismatch")]


# -- what a locked caller hears -----------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "es"])
def test_a_locked_caller_is_told_once_who_will_help(phone, http, language):
    from tests.chat_clients import WebChat

    def spanish(call):
        if language == "es":
            call.press("9")
        return call

    for _ in range(2):
        call_through(spanish(phone().dial()), dob="01011970")
    third = call_through(spanish(phone().dial()), dob="01011970")  # this failure locks the number
    refused = spanish(phone().dial())
    refused.press(ALICE + "#")
    chat = WebChat(http).open()
    if language == "es":
        chat.send("9")
    chat.send(ALICE)
    helper = "colleague who can help" if language == "en" else "compañero que puede ayudarle"
    for said in (third.last, refused.last, chat.last):
        assert said.count(helper) == 1, said
    assert third.task["locked"] and refused.task["locked"] and chat.handoff["locked"]
