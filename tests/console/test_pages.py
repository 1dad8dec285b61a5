"""Every figure the console pages show, on the seeded database; the same rows as the exports and `bot report`."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.reporting import funnel, funnel_table
from bot.store.db import transaction
from bot.store.models import CallbackRequest, ConsoleAuditEntry, DeskDelivery
from fastapi.testclient import TestClient

from tests.conftest import BASE_URL
from tests.console.conftest import add_accounts, console_app, csrf, sign_in
from tests.console.html import Page
from tests.reporting.conftest import SEED_PERIOD

RANGE = "since=2026-03-02&until=2026-03-04"


def test_overview_figures(admin):
    page = Page(admin.get(f"/console/overview?{RANGE}").text)
    assert page.text("fig-conversations") == "11"
    assert page.text("fig-verification") == "70%"
    assert page.text("fig-containment") == "18%"
    assert page.text("fig-handed-off") == "6"
    assert page.text("fig-locks-today") == "0"
    assert page.table("table-conversations-per-day") == [
        ["2026-03-02", "3", "0", "0", "1", "4"], ["2026-03-03", "3", "1", "0", "0", "4"],
        ["2026-03-04", "2", "0", "0", "1", "3"]]
    assert page.table("table-verification") == [["all", "10", "7", "70.0"], ["voice", "7", "5", "71.4"],
                                                 ["sms", "1", "0", "0.0"], ["whatsapp", "0", "0", "–"],
                                                 ["web", "2", "2", "100.0"]]
    assert page.table("table-outcomes") == [["handed_off", "6", "54.5"], ["contained", "2", "18.2"],
                                            ["abandoned", "3", "27.3"], ["in_progress", "0", "0.0"]]
    assert page.table("table-departments") == [["billing", "3", "1"], ["cards", "2", "0"], ["general", "1", "0"]]
    # How the seed's four voice handoffs ended (seed.HANDOFFS), and the wait.
    assert page.text("fig-handoffs-answered") == "25%"
    assert page.text("fig-average-wait") == "1 min 5 s"
    assert page.table("table-handoff-outcomes") == [
        ["voice", "billing", "2", "1", "50.0", "0", "0.0", "1", "50.0", "0", "0.0", "0", "77.5", "125"],
        ["voice", "cards", "1", "0", "0.0", "1", "100.0", "0", "0.0", "0", "0.0", "0", "90.0", "90"],
        ["voice", "general", "1", "0", "0.0", "0", "0.0", "0", "0.0", "1", "100.0", "0", "15.0", "15"],
        ["all", "all", "4", "1", "25.0", "1", "25.0", "1", "25.0", "1", "25.0", "0", "65.0", "125"]]
    assert "billing (voice): 1 answered, 0 abandoned, 1 left queue, 0 failed, 0 pending, average wait 1 min 18 s" in page.html
    # No recovery in these days: said, not drawn.
    assert page.table("table-recoveries") == [["No caller asked to recover their customer number in this period."]]
    assert "fig-recoveries" not in page.html
    assert page.html.count("<svg") == 5 and 'role="img"' in page.html


def test_overview_recoveries_by_sms(recovery_seeded):
    url, _ = recovery_seeded
    add_accounts(url)
    with TestClient(console_app(url), base_url=BASE_URL) as client:
        assert sign_in(client, "sam").status_code == 303
        page = Page(client.get("/console/overview?since=2026-03-10&until=2026-03-11").text)
        web = Page(client.get("/console/overview?since=2026-03-10&until=2026-03-11&channel=web").text)
        exported = json.loads(client.get("/console/export/recoveries.json?since=2026-03-11&until=2026-03-11").text)
    assert page.text("fig-recoveries") == "2"
    assert page.text("fig-conversations") == "6"
    # A recovered number verifies the caller: 2 of the 5 who reached a verification question (RW2 was not asked).
    assert page.text("fig-verification") == "40%"
    # RV1 left once verified (contained); RV2 and RV3 hung up unverified, RS1 went quiet verified (contained).
    assert page.table("table-outcomes")[:3] == [["handed_off", "1", "16.7"], ["contained", "2", "33.3"],
                                                ["abandoned", "2", "33.3"]]
    assert page.table("table-recoveries") == [
        ["all", "5", "2", "40.0", "0", "0.0", "2", "40.0", "1", "20.0", "1"],
        ["voice", "3", "1", "33.3", "0", "0.0", "1", "33.3", "1", "33.3", "0"],
        ["sms", "1", "1", "100.0", "0", "0.0", "0", "0.0", "0", "0.0", "0"],
        ["whatsapp", "0", "0", "–", "0", "–", "0", "–", "0", "–", "0"],
        ["web", "1", "0", "0.0", "0", "0.0", "1", "100.0", "0", "0.0", "1"]]
    assert "voice: 3 attempted, 1 texted, 0 no phone, 1 not matched, 1 unfinished" in page.html
    assert "whatsapp: 0 attempted" not in page.html  # a channel with none is left out of the chart
    assert "fig-handoffs-answered" not in page.html  # no handoff in those days (recoveries sent none)
    assert page.html.count("<svg") == 5
    assert web.text("fig-recoveries") == "0"
    assert web.table("table-recoveries") == [["all", "1", "0", "0.0", "0", "0.0", "1", "100.0", "0", "0.0", "1"]]
    assert [(r["channel"], r["attempted"], r["texted"], r["not_matched"], r["unfinished"], r["unavailable"])
            for r in exported["rows"]][:2] == [("all", 2, 0, 1, 1, 1), ("voice", 2, 0, 1, 1, 0)]


def test_presets_and_channel_filter(admin):
    today = Page(admin.get("/console/overview?preset=today").text)  # the console's clock: 2026-03-04
    assert today.text("fig-conversations") == "3"
    week = Page(admin.get("/console/overview?preset=7d&channel=web").text)
    assert week.text("fig-conversations") == "2" and week.text("fig-verification") == "100%"
    assert week.table("table-handoff-outcomes") == [["No handoff outcome was recorded in this period."]]
    voice = Page(admin.get("/console/overview?preset=7d&channel=voice").text)
    assert voice.text("fig-handoffs-answered") == "25%" and len(voice.table("table-handoff-outcomes")) == 4
    day2 = Page(admin.get("/console/overview?since=2026-03-03&until=2026-03-03").text)
    assert day2.table("table-handoff-outcomes")[0][:3] == ["voice", "general", "1"]
    assert day2.text("fig-handoffs-answered") == "0%" and day2.text("fig-average-wait") == "15 s"
    assert week.table("table-conversations-per-day", header=True)[0] == ["day", "web", "total"]
    bad = admin.get("/console/overview?since=yesterday")
    assert bad.status_code == 200 and "not a date" in bad.text


def test_funnel_page(admin):
    page = Page(admin.get(f"/console/funnel?{RANGE}").text)
    rows = page.table("table-funnel")
    assert rows[0] == ["customer_number worst step", "11", "8 (73%)", "2 (18%)", "1 (9%)", "1 (9%)", "0 (0%)", "1 (9%)"]
    assert rows[1] == ["date_of_birth", "10", "8 (80%)", "0 (0%)", "1 (10%)", "0 (0%)", "1 (10%)", "1 (10%)"]
    assert [r[0] for r in rows] == ["customer_number worst step", "date_of_birth", "postcode", "main_menu"]
    assert "conversations asked this question at least once" in page.html


def test_variants_page(console, ab_seeded):
    assert sign_in(console, "sam").status_code == 303
    page = Page(console.get("/console/variants?since=2026-04-01&until=2026-04-02").text)
    assert page.text("verdict-dob_wording").startswith("Verdict: B is better: 80% of B's callers answered the first time")
    assert page.text("verdict-postcode_wording").startswith("Verdict: no difference yet: about 2702 more calls needed")
    assert "Your date of birth, please: day, month, year." in page.html
    rows = page.table("table-dob_wording")
    assert rows[0] == ["conversations", "120", "120", ""]
    first_try = next(r for r in rows if r[0] == "answered 1st try")
    assert first_try[1:3] == ["72 (60%)", "96 (80%)"] and first_try[3].endswith("B better")


def test_exports_are_the_reports(admin, seeded):
    url, _ = seeded
    with transaction(url) as session:
        expected = funnel_table(funnel(session, SEED_PERIOD)).to_csv()
    response = admin.get(f"/console/export/funnel.csv?{RANGE}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="funnel.csv"'
    assert response.text == expected
    data = json.loads(admin.get(f"/console/export/outcomes.json?{RANGE}").text)
    assert data["rows"][0] == {"outcome": "handed_off", "conversations": 6, "pct": 54.5}
    handoffs = admin.get(f"/console/export/handoff-outcomes.csv?{RANGE}")
    assert handoffs.headers["content-disposition"] == 'attachment; filename="handoff-outcomes.csv"'
    assert handoffs.text.splitlines()[-1] == "all,all,4,1,25.0,1,25.0,1,25.0,1,25.0,0,65.0,125"
    # Locks today: the console's day (its clock: 2026-03-04), whatever the period.
    locks = json.loads(admin.get("/console/export/locks-today.json?since=2026-02-01&until=2026-02-02").text)
    assert locks["rows"] == [{"day": "2026-03-04", "locks_set": 0, "locked_now": 0}]
    assert admin.get("/console/export/nothing.csv").status_code == 404
    with transaction(url) as session:
        assert session.scalar(select(ConsoleAuditEntry.target).where(ConsoleAuditEntry.action == "export")
                              .order_by(ConsoleAuditEntry.id)) == "funnel.csv"


def test_claim_and_complete_a_callback(supervisor, seeded):
    url, _ = seeded
    page = Page(supervisor.get("/console/queues").text)
    rows = page.table("table-callbacks")
    assert len(rows) == 1
    when, department, phone, caller, status, _ = rows[0]
    assert (when, department, phone, status) == ("2026-03-04 21:00", "billing", "********0123", "new")
    assert caller == "number ******6781, verified (date_of_birth postcode), en, voice"
    with transaction(url) as session:
        item_id = session.scalar(select(CallbackRequest.id))
    token = csrf(supervisor, "/console/queues")
    claimed = supervisor.post(f"/console/queues/callback/{item_id}/claim", data={"csrf_token": token},
                              follow_redirects=True)
    row = Page(claimed.text).table("table-callbacks")[0]
    assert row[2] == "+447700900123"  # the full number, for the one who calls back
    assert row[4].startswith("claimed by sam at 2026-03-04 15:00")
    again = supervisor.post(f"/console/queues/callback/{item_id}/claim", data={"csrf_token": token})
    assert again.status_code == 409 and "is claimed by sam" in again.text
    no_outcome = supervisor.post(f"/console/queues/callback/{item_id}/complete", data={"csrf_token": token})
    assert no_outcome.status_code == 409 and "choose an outcome" in no_outcome.text
    done = supervisor.post(f"/console/queues/callback/{item_id}/complete",
                           data={"csrf_token": token, "outcome": "reached"}, follow_redirects=True)
    assert "Nothing here." in Page(done.text).table("table-callbacks")[0][0]
    finished = Page(supervisor.get("/console/queues?show=done").text).table("table-callbacks")[0]
    assert finished[4] == "done by sam at 2026-03-04 15:00: spoke to the customer"
    with transaction(url) as session:
        row = session.get(CallbackRequest, item_id)
        assert (row.status, row.claimed_by, row.outcome) == ("done", "sam", "reached")
        actions = list(session.scalars(select(ConsoleAuditEntry.action).where(ConsoleAuditEntry.actor == "sam")))
    assert actions == ["login", "callback-claim", "callback-done"]


def test_another_supervisor_cannot_complete_a_claimed_callback(console, seeded):
    url, _ = seeded
    with transaction(url) as session:
        item_id = session.scalar(select(CallbackRequest.id))
    sign_in(console, "ada")
    console.post(f"/console/queues/callback/{item_id}/claim", data={"csrf_token": csrf(console)})
    console.post("/console/logout", data={"csrf_token": csrf(console)})
    sign_in(console, "sam")
    response = console.post(f"/console/queues/callback/{item_id}/complete",
                            data={"csrf_token": csrf(console), "outcome": "reached"})
    assert response.status_code == 409 and "claimed by ada" in response.text
    assert "********0123" in response.text and "+447700900123" not in response.text


def test_desk_dead_letters(admin, seeded):
    url, ids = seeded
    with transaction(url) as session:
        session.add(DeskDelivery(id="d" * 32, conversation_id=ids["W1"], payload="{}", status="dead", attempts=5,
                                 last_error="HTTP 503"))
    page = Page(admin.get("/console/desk").text)
    assert page.table("table-desk")[0][:5] == ["d" * 32, ids["W1"], "dead", "5", "HTTP 503"]
    refused = admin.post("/console/desk/resend", data={"csrf_token": csrf(admin)})
    assert refused.status_code == 409 and "AGENT_DESK_URL is not set" in refused.text
