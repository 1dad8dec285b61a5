"""Try it: a supervisor hears the draft (or any published version) through the engine live calls use,
on the server's database, kept apart from real callers: never in reports, never locking a customer,
never reaching anyone, and never showing a full customer number, birth date or postcode."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from bot.reporting import Period, load_facts, overview
from bot.store.db import transaction
from bot.store.models import CallbackRequest, Conversation, DeskDelivery, FailedAttempt, Lock
from bot.verification.lockout import SqlLedger
from bot.verification.policy import Lockout
from tests.conftest import BASE_URL, make_settings
from tests.console.conftest import POSTCODE_AFTER, POSTCODE_BEFORE, add_accounts, csrf, edit, live_call, sign_in
from tests.console.html import Page
from tests.console.try_pane import Pane

NUMBER, DOB, POSTCODE = "1023456781", "03031985", "SW1A 1AA"
WRONG_DOB = "01011970"


def try_voice(client, **form) -> Pane:
    return Pane.start(client, source="draft", channel="voice", **form)


def test_try_a_draft_wording_while_live_calls_hear_the_published_one(sam, draft):
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    pane = try_voice(sam).send(NUMBER + "#", DOB)
    assert POSTCODE_AFTER in pane.last and POSTCODE_BEFORE not in pane.html
    page = Page(pane.html)
    assert "(the draft, not published)" in page.text("about")
    # A caller on the phone at the same moment hears what is published.
    call = live_call(sam)
    call.press(NUMBER + "#")
    call.press(DOB)
    assert POSTCODE_BEFORE in call.last and POSTCODE_AFTER not in call.last
    pane.send(POSTCODE, "1")
    assert pane.last == "Putting you through now."
    assert any(n.startswith("Handed over to billing (queue billing): verified yes, locked no") for n in pane.notes())
    assert "The conversation has ended." in Page(pane.html).text("ended")
    # What Twilio would get for that reply, masked.
    assert "&lt;Enqueue" in pane.html and "******6781" in pane.html and NUMBER not in pane.html


def test_a_published_version_can_be_tried_too(sam, draft):
    live = sam.get("/readyz").json()["flow_version"]
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    pane = Pane.start(sam, source=live[:6], channel="voice").send(NUMBER + "#", DOB)
    assert POSTCODE_BEFORE in pane.last
    assert "(the live version)" in Page(pane.html).text("about")


def today() -> Period:
    now = dt.datetime.now(dt.timezone.utc)
    return Period(now - dt.timedelta(days=1), now + dt.timedelta(days=1))


def test_try_it_conversations_are_in_no_report(sam):
    url = sam.database_url
    call = live_call(sam)
    call.press(NUMBER + "#")
    call.hang_up()
    try_voice(sam).send(NUMBER + "#", WRONG_DOB, POSTCODE)
    Pane.start(sam, source="draft", channel="web").send("hello")
    with transaction(url) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 3
        facts = load_facts(session, today())
        report = overview(session, today(), facts)
    assert [f.channel for f in facts] == ["voice"]  # the real call only
    assert report.conversations == 1 and report.outcomes["abandoned"] == 1


def failed_check(client, number: str = NUMBER) -> Pane:
    """One Try-it call that gives the number and wrong details twice (two failed checks)."""
    return try_voice(client).send(number + "#", WRONG_DOB, POSTCODE, number + "#", WRONG_DOB, POSTCODE)


def test_wrong_answers_in_try_it_never_lock_the_customer(sam, draft):
    url = sam.database_url
    first = failed_check(sam)  # failures 1 and 2
    assert any("locked no, reason verification-failed" in n for n in first.notes())
    second = try_voice(sam).send(NUMBER + "#", WRONG_DOB, POSTCODE)  # the third: locked, for sam
    assert "For your security" in second.last
    third = try_voice(sam).send(NUMBER + "#")
    assert "For your security" in third.last and any("locked yes, reason locked" in n for n in third.notes())

    with transaction(url) as session:
        ledger = SqlLedger(session, Lockout(), channel="voice", conversation_id=None)
        assert ledger.failures(NUMBER) == 0 and ledger.lock_reason(NUMBER) is None
        assert session.scalar(select(func.count()).select_from(Lock)) == 0
        assert session.scalar(select(func.count()).select_from(FailedAttempt)
                              .where(FailedAttempt.customer_number == NUMBER)) == 0
        decisions = session.execute(text("SELECT result, session_key FROM verification_decisions ORDER BY id")).all()
    # Still audited as verification decisions, under the supervisor's Try-it session keys.
    assert [d.result for d in decisions] == ["failed", "failed", "failed", "locked"]
    assert all(d.session_key.startswith("tryit:sam:") for d in decisions)
    # The customer calls: asked the questions, and verified.
    call = live_call(sam)
    call.press(NUMBER + "#")
    assert "date of birth" in call.last
    call.press(DOB)
    call.say(POSTCODE)
    assert "you're verified" in call.last
    assert "No number is locked." in sam.get("/console/locks").text
    # Another supervisor's practice is not locked by sam's.
    sam.post("/console/logout", data={"csrf_token": csrf(sam)})
    assert sign_in(sam, "ada").status_code == 303
    assert "date of birth" in try_voice(sam).send(NUMBER + "#").last


def test_a_number_that_is_really_locked_is_locked_in_try_it(sam):
    with transaction(sam.database_url) as session:
        ledger = SqlLedger(session, Lockout(), channel="voice", conversation_id=None)
        for _ in range(3):
            ledger.decide("2076543213", passed=False)
    assert "For your security" in try_voice(sam).send("2076543213#").last


def test_nothing_reaches_anyone(customers, draft):
    """After hours a callback would be queued (a web chat's to the phone on file), and a web chat handed to the
    agent desk: Try it does neither."""
    edit(draft, "    target: {queue: billing}\n",
         "    target: {queue: billing}\n    hours: {weekly: {mon-fri: \"08:00-20:00\"}}\n    after_hours: {action: callback}\n",
         name="departments.yaml")
    edit(draft, "general: general", "timezone: Europe/London\ngeneral: general", name="departments.yaml")
    add_accounts(customers)
    from webhooks.app import create_app

    evening = dt.datetime(2026, 3, 4, 21, 0, tzinfo=dt.timezone.utc)  # a Wednesday, billing closed
    app = create_app(make_settings(customers, flows_dir=draft), clock=lambda: evening)
    with TestClient(app, base_url=BASE_URL) as client:
        sign_in(client, "sam")
        after_hours = Pane.start(client, source="draft", channel="web")
        after_hours.send(NUMBER, "3 March 1985", POSTCODE, "1")
        assert any(n.startswith("A callback request to ********3456 would now be queued for billing; Try it queues nothing")
                   for n in after_hours.notes())
        desk = Pane.start(client, source="draft", channel="web").send(NUMBER, "3 March 1985", POSTCODE, "2")
        assert any("posts nothing to the agent desk" in n for n in desk.notes())
    with transaction(customers) as session:
        assert session.scalar(select(func.count()).select_from(CallbackRequest)) == 0
        assert session.scalar(select(func.count()).select_from(DeskDelivery)) == 0


FORBIDDEN = ("1023456781", "2076543213", "1985-03-03", "03/03/1985", "3 March 1985", "03031985",
             "1972-11-25", "25111972", "90210", "+14155550100", "07911 123456")


def test_no_full_customer_number_birth_date_or_postcode_in_the_pane(sam):
    voice = try_voice(sam, caller="+14155550100").send("2076543213#", "25111972", "90210", "1")
    web = Pane.start(sam, source="draft", channel="web", caller="07911 123456")
    web.send("1 0 2 3 4 5 6 7 8 1", "3 March 1985", "not a postcode", POSTCODE, "billing")
    pages = [voice.html, web.html, sam.get("/console/flows/try").text]
    for page in pages:
        for secret in FORBIDDEN:
            assert secret not in page, secret
    assert "******3213" in voice.html and "******6781" in web.html
    # The customer's answers are withheld; the flow's own example postcode is shown as written.
    typed = web.said("from-customer")
    assert typed[1:4] == ["[verification answer withheld]"] * 3
    assert any("Please type it again, for example EC1A 1BB." in said for said in web.said())


def test_the_draft_must_pass_its_check_before_it_can_be_tried(sam, draft):
    edit(draft, "type: verify", "type: verifyy")
    page = sam.get("/console/flows/try").text
    problems = Page(page).text("draft-problems")
    assert re.search(r"draft-flows/default\.yaml:\d+: unknown step type 'verifyy'", problems), problems
    assert 'value="draft"' not in page  # no pane on the draft: only published versions can be chosen
    refused = sam.post("/console/flows/try", data={"csrf_token": csrf(sam), "source": "draft", "channel": "voice"})
    assert refused.status_code == 422 and "does not pass its check" in refused.text
    with transaction(sam.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_a_conversation_finishes_on_the_draft_it_started_with(sam, draft):
    edit(draft, POSTCODE_BEFORE, "Postcode, please.")
    pane = try_voice(sam).send(NUMBER + "#")
    edit(draft, "Postcode, please.", POSTCODE_AFTER)
    pane.send(DOB)
    assert "Postcode, please." in pane.last  # the draft it started on, not the folder as it is now
    assert POSTCODE_AFTER in try_voice(sam).send(NUMBER + "#", DOB).last
    # A server that no longer has that draft (a restart) says so instead of guessing.
    turn = pane.turn()
    sam.app_state.try_it_drafts = None
    assert "FLOWS_DIR has changed since" in pane.html and 'name="turn"' not in pane.html
    stale = pane.post(action="send", text=POSTCODE, turn=turn)
    assert stale.status_code == 409 and "FLOWS_DIR has changed since" in stale.text


def test_a_second_click_sends_nothing_twice(sam):
    pane = try_voice(sam)
    turn = pane.turn()
    assert pane.post(action="send", text=NUMBER + "#", turn=turn).headers["location"] == pane.path
    again = pane.post(action="send", text=NUMBER + "#", turn=turn)
    assert again.headers["location"].endswith("?notice=stale")
    assert pane.said("from-customer") == ["******6781#"]


def test_silence_and_hanging_up(sam):
    pane = try_voice(sam).silence()
    assert "(silence: nothing said or pressed)" in pane.notes()
    assert "didn't hear" in pane.last.lower() or "sorry" in pane.last.lower()
    pane.hang_up()
    assert "You hung up." in pane.notes() and 'name="turn"' not in pane.html
    with transaction(sam.database_url) as session:
        assert session.scalar(select(Conversation.status)) == "closed"


def test_chat_quick_replies_are_buttons(sam):
    pane = Pane.start(sam, source="draft", channel="web").send(NUMBER, "3 March 1985", POSTCODE)
    assert re.search(r'<button type="submit" name="text" value="1" class="secondary">1: billing and payments</button>',
                     pane.html)
    pane.send("2")
    assert any(n.startswith("Handed over to cards") for n in pane.notes())


def test_only_the_supervisor_who_started_it_sees_it(sam, flows_console):
    pane = try_voice(sam)
    assert sam.get("/console/flows/try/not-a-token").status_code == 404
    sam.post("/console/logout", data={"csrf_token": csrf(sam)})
    sign_in(sam, "ada")
    assert sam.get(pane.path).status_code == 404
    assert sam.post(pane.path, data={"csrf_token": csrf(sam), "action": "send", "text": "1", "turn": "1"}).status_code == 404


def test_starting_is_audited(sam, flows_console):
    try_voice(sam, caller="+447700900123")
    Pane.start(sam, source="draft", channel="sms", first_message="hello")
    sam.post("/console/logout", data={"csrf_token": csrf(sam)})
    sign_in(sam, "ada")
    rows = Page(sam.get("/console/audit").text).table("table-audit")
    started = [row for row in rows if row[2] == "tryit-start"]
    assert [(r[1], r[4]) for r in started] == [("sam", "sms"), ("sam", "voice, caller ********0123")]
    assert all(r[3].endswith("(draft)") for r in started)


@pytest.mark.parametrize("form, why", [
    ({"channel": "fax"}, "Choose a channel"),
    ({"caller": "<script>"}, "A caller ID is a phone number"),
    ({"language": "fr"}, "speaks en, es, not fr"),
    ({"variant": "nonesuch=B"}, "Choose A or B"),
    ({"source": "ffffffff"}, "no stored flow version"),
])
def test_a_bad_start_is_refused_with_a_reason(sam, form, why):
    refused = sam.post("/console/flows/try", data={"csrf_token": csrf(sam), "source": "draft", "channel": "voice", **form})
    assert refused.status_code == 422 and why in refused.text
