"""The console's access rules: sign-in required, CSRF on every form, roles, throttled logins,
sessions that expire and are stored hashed, and no page showing a customer's number, birth date or postcode."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bot.console import sessions
from bot.store.db import transaction
from bot.store.models import ConsoleSession, Voicemail
from bot.verification.lockout import SqlLedger
from bot.verification.policy import Lockout
from tests.conftest import BASE_URL
from tests.console.conftest import NOW, PASSWORDS, add_accounts, console_app, csrf, sign_in
from tests.console.html import hidden

PAGES = ("/console/overview", "/console/funnel", "/console/variants", "/console/queues", "/console/locks",
         "/console/desk", "/console/users", "/console/audit", "/console/export/funnel.csv", "/console/flows",
         "/console/flows/diff", "/console/flows/try", "/console/flows/try/" + "0" * 32)
FORMS = ("/console/logout", "/console/queues/callback/1/claim", "/console/locks/1/unlock", "/console/desk/resend",
         "/console/users", "/console/users/sam/disable", "/console/flows/publish", "/console/flows/rollback",
         "/console/flows/try", "/console/flows/try/" + "0" * 32)


@pytest.mark.parametrize("path", PAGES)
def test_unauthenticated_pages_redirect_to_the_login(console, path):
    response = console.get(path + "?preset=today", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=" + path.replace("/", "%2F") + "%3Fpreset%3Dtoday"
    assert console.get("/console/", follow_redirects=True).url.path == "/console/login"


@pytest.mark.parametrize("path", FORMS)
def test_a_post_without_the_csrf_token_is_refused(supervisor, path):
    assert supervisor.post(path, data={}).status_code == 403
    assert supervisor.post(path, data={"csrf_token": "0" * 64}).status_code == 403


def test_the_login_form_needs_its_csrf_token(console):
    response = console.post("/console/login", data={"username": "ada", "password": PASSWORDS["ada"]})
    assert response.status_code == 403
    assert "console_session" not in response.cookies


def test_a_supervisor_cannot_reach_admin_actions(supervisor, seeded):
    url, _ = seeded
    token = csrf(supervisor)
    assert supervisor.get("/console/users").status_code == 403
    assert supervisor.get("/console/audit").status_code == 403
    assert supervisor.get("/console/export/audit.csv").status_code == 403
    assert supervisor.get("/console/export/users.json").status_code == 403
    assert supervisor.post("/console/users", data={"csrf_token": token, "username": "eve", "role": "admin",
                                                   "password": "a long enough password"}).status_code == 403
    assert supervisor.post("/console/users/ada/disable", data={"csrf_token": token}).status_code == 403
    assert supervisor.post("/console/locks/1/unlock", data={"csrf_token": token, "reason": "x"}).status_code == 403
    nav = supervisor.get("/console/overview").text
    assert 'href="/console/users"' not in nav and 'href="/console/audit"' not in nav
    with transaction(url) as session:
        assert session.scalar(text("SELECT count(*) FROM console_users")) == 2


def test_an_admin_unlocks_a_number_with_a_reason(admin, seeded):
    url, _ = seeded
    with transaction(url) as session:
        ledger = SqlLedger(session, Lockout(), channel="voice", conversation_id=None, clock=lambda: NOW)
        for _ in range(3):
            ledger.decide("2076543213", passed=False)
    page = admin.get("/console/locks").text
    assert "******3213" in page and "2076543213" not in page
    lock_id = int(re.search(r'id="lock-(\d+)"', page).group(1))
    token = csrf(admin, "/console/locks")
    missing = admin.post(f"/console/locks/{lock_id}/unlock", data={"csrf_token": token, "reason": "  "})
    assert missing.status_code == 422 and "Give a reason" in missing.text
    done = admin.post(f"/console/locks/{lock_id}/unlock", data={"csrf_token": token, "reason": "ID checked by phone"},
                      follow_redirects=True)
    assert "No number is locked." in done.text
    with transaction(url) as session:
        decision = session.execute(text("SELECT result, actor, reason FROM verification_decisions "
                                        "WHERE result = 'unlocked'")).one()
        audit = session.execute(text("SELECT actor, action, target, detail FROM console_audit "
                                     "WHERE action = 'number-unlock'")).one()
    assert tuple(decision) == ("unlocked", "ada", "ID checked by phone")
    assert tuple(audit) == ("ada", "number-unlock", "******3213", "ID checked by phone")


def test_logins_slow_down_then_lock(console):
    clock = console.app_state.console_clock
    for _ in range(3):
        assert sign_in(console, "sam", "wrong password!!").status_code == 401
    # The fourth attempt, even with the right password, must wait: it is not even checked.
    slowed = sign_in(console, "sam")
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "1"
    assert "wait 1 seconds" in slowed.text
    clock.advance(seconds=1)
    assert sign_in(console, "sam", "wrong password!!").status_code == 401
    assert sign_in(console, "sam").headers["retry-after"] == "2"  # doubling
    delay = 2
    for _ in range(5):  # failures 5 to 9
        clock.advance(seconds=delay)
        assert sign_in(console, "sam", "wrong password!!").status_code == 401
        delay *= 2
    clock.advance(seconds=delay)
    assert sign_in(console, "sam", "wrong password!!").status_code == 401  # the tenth: locked
    clock.advance(minutes=5)
    locked = sign_in(console, "sam")
    assert locked.status_code == 429 and "locked" in locked.text
    # An admin clears it (their own account is unaffected), and sam signs in.
    assert sign_in(console, "ada").status_code == 303
    assert "locked after failed sign-ins" in console.get("/console/users").text
    console.post("/console/users/sam/clear", data={"csrf_token": csrf(console)})
    console.post("/console/logout", data={"csrf_token": csrf(console)})
    assert sign_in(console, "sam").status_code == 303


def test_failures_are_counted_per_address_across_accounts(console):
    clock = console.app_state.console_clock
    for i in range(10):  # ten different (unknown) accounts from one address
        clock.advance(seconds=1)
        assert sign_in(console, f"guess{i}", "wrong password!!").status_code == 401
    refused = sign_in(console, "ada")  # an account with no failures of its own
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"


def test_unknown_users_and_wrong_passwords_get_the_same_answer(console):
    unknown, wrong = sign_in(console, "nobody", "wrong password!!"), sign_in(console, "ada", "wrong password!!")
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong username or password." in unknown.text and "Wrong username or password." in wrong.text


def test_the_session_cookie(console, seeded):
    url, _ = seeded
    response = sign_in(console, "ada")
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("console_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie and "Path=/console" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with transaction(url) as session:
        stored = list(session.scalars(select(ConsoleSession.token_hash)))
    assert stored == [sessions.digest(token)] and token not in stored


def test_no_secure_flag_over_plain_http(seeded):
    url, _ = seeded
    add_accounts(url)
    app = console_app(url, public_base_url="http://127.0.0.1:8000")
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        response = sign_in(client, "ada")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_sessions_expire(console):
    clock = console.app_state.console_clock
    sign_in(console, "ada")
    clock.advance(minutes=29)
    assert console.get("/console/overview", follow_redirects=False).status_code == 200
    clock.advance(minutes=31)  # idle for more than 30 minutes
    assert console.get("/console/overview", follow_redirects=False).status_code == 303
    sign_in(console, "ada")
    for _ in range(25):  # busy all day: the absolute limit (12 hours) still ends it
        clock.advance(minutes=29)
        console.get("/console/overview", follow_redirects=False)
    assert console.get("/console/overview", follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_their_sessions(seeded):
    url, _ = seeded
    add_accounts(url)
    app = console_app(url)
    with TestClient(app, base_url=BASE_URL) as sam, TestClient(app, base_url=BASE_URL) as ada:
        sign_in(sam, "sam")
        sign_in(ada, "ada")
        ada.post("/console/users/sam/disable", data={"csrf_token": csrf(ada)})
        assert sam.get("/console/overview", follow_redirects=False).status_code == 303
        assert sign_in(sam, "sam").status_code == 401


def test_the_console_audit_is_append_only(admin, seeded):
    url, _ = seeded
    with pytest.raises(Exception, match="append-only"):
        with transaction(url) as session:
            session.execute(text("UPDATE console_audit SET actor = 'someone else'"))
    with pytest.raises(Exception, match="append-only"):
        with transaction(url) as session:
            session.execute(text("DELETE FROM console_audit"))
    rows = admin.get("/console/audit").text
    assert "user-add" in rows and "login" in rows


def test_pages_load_nothing_from_elsewhere(admin):
    response = admin.get("/console/overview")
    assert response.headers["content-security-policy"].startswith("default-src 'none'; style-src 'self'")
    assert response.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href)="(https?:)?//', response.text)
    assert admin.get("/console/static/console.css").status_code == 200
    assert admin.get("/console/static/../deps.py").status_code == 404


FORBIDDEN = ("1023456781", "2076543213", "1985-03-03", "03/03/1985", "3 March 1985", "03031985",
             "SW1A 1AA", "SW1A1AA", "1972-11-25", "90210")


# What a number recovery was told (seed.RECOVERY_SCRIPTS): a name, a phone on file, a wrong postcode.
RECOVERY_SECRETS = ("Alice Walker", "447911123456", "7911 123456", "E1 6AN", "Zed Nobody", "01011990")


def test_no_page_shows_a_full_customer_number_birth_date_or_postcode(admin, seeded, tmp_path):
    from bot.engine.bundle import load_bundle
    from tests.reporting import seed as seeding

    url, ids = seeded
    seeding.drive_all(url, load_bundle(tmp_path / "seed-flows"), seeding.RECOVERY_SCRIPTS)
    with transaction(url) as session:
        ledger = SqlLedger(session, Lockout(), channel="voice", conversation_id=None, clock=lambda: NOW)
        for _ in range(3):
            ledger.decide("2076543213", passed=False)
        session.add(Voicemail(conversation_id=ids["V8"], department="cards", recording_url="https://api.twilio.com/rec/RE1",
                              duration_seconds=12, context={"customer_number": "1023456781", "verified": True,
                                                            "factors": ["date_of_birth", "postcode"]}))
    pages = [p + "?since=2026-03-01&until=2026-03-12" for p in PAGES]
    pages += [f"/console/export/{name}.{fmt}?since=2026-03-01&until=2026-03-12&show=all" for fmt in ("csv", "json")
              for name in ("callbacks", "voicemails", "locks", "desk", "audit", "users", "outcomes", "funnel",
                           "handoff-outcomes", "recoveries", "locks-today")]
    overview = admin.get(pages[0]).text
    assert 'id="fig-recoveries">2<' in overview and 'id="fig-handoffs-answered">25%<' in overview  # they are there
    for path in pages:
        body = admin.get(path).text
        for secret in FORBIDDEN + RECOVERY_SECRETS:
            assert secret not in body, (path, secret)
    assert "******6781" in admin.get("/console/queues").text
