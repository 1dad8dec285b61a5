"""What Try it uses instead of the services that reach customers: a ledger that counts failures
against the supervisor, callbacks that are only noted, one-time codes that are never texted."""
from __future__ import annotations

import datetime as dt

import requests
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.console.try_it_services import (NotedCallbacks, PracticeCodes, TryItLedger, practice_key,
                                         supervisor_origin)
from bot.store.db import transaction
from bot.store.models import FailedAttempt
from bot.verification.lockout import SqlLedger
from bot.verification.policy import Lockout
from bot.verification.policy_file import Limit, Velocity
from tests.conftest import BASE_URL
from tests.console.conftest import add_accounts, sign_in
from tests.console.try_pane import Pane
from tests.fake_verify import ACCOUNT_SID, SERVICE_SID
from tests.verification import variants

NOW = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.timezone.utc)


def ledger(session, supervisor: str, velocity: Velocity | None = None) -> TryItLedger:
    return TryItLedger(session, Lockout(threshold=3, window_hours=24), supervisor=supervisor, channel="voice",
                       conversation_id="c" * 32, clock=lambda: NOW, velocity=velocity)


def test_failures_count_per_supervisor_and_number_never_for_the_customer(database_url):
    with transaction(database_url) as session:
        sam, ada = ledger(session, "sam"), ledger(session, "ada")
        assert [sam.decide("1023456781", passed=False).locks for _ in range(3)] == [False, False, True]
        assert sam.lock_reason("1023456781") == "locked" and sam.failures("1023456781") == 3
        assert ada.lock_reason("1023456781") is None and sam.lock_reason("2076543213") is None
        real = SqlLedger(session, Lockout(threshold=3, window_hours=24), channel="voice", conversation_id=None,
                         clock=lambda: NOW)
        assert real.failures("1023456781") == 0 and real.lock_reason("1023456781") is None
        keys = set(session.scalars(select(FailedAttempt.customer_number)))
        origins = set(session.scalars(select(FailedAttempt.origin)))
    assert keys == {practice_key("sam", "1023456781")} and keys.isdisjoint({"1023456781"})
    assert origins == {supervisor_origin("sam")}
    assert len(practice_key("a" * 40, "X" * 40)) <= 40  # fits failed_attempts.customer_number


def test_a_supervisor_trying_many_numbers_is_slowed_as_a_caller_is(database_url):
    velocity = Velocity(caller_id=Limit(threshold=4, window_minutes=60), client_address=Limit(threshold=4, window_minutes=60))
    with transaction(database_url) as session:
        sam = ledger(session, "sam", velocity)
        refused = [sam.decide(f"10000000{i:02d}", passed=False).locks for i in range(4)]
        assert refused == [False, False, False, True] and sam.lock_reason("3011122238") == "velocity"
        assert ledger(session, "ada", velocity).lock_reason("3011122238") is None
        # A real caller's origin is not the supervisor's.
        assert session.scalar(select(func.count()).select_from(FailedAttempt)
                              .where(FailedAttempt.origin.like("caller:%"))) == 0


def test_callbacks_and_codes_are_noted_never_sent():
    notes: list[str] = []
    NotedCallbacks(notes).request(department="billing", phone="+447700900123", context={"customer_number": "1023456781"})
    codes = PracticeCodes(notes, [6, 6])
    assert codes.send("+447911123456") == "sent"
    assert notes == ["A callback request to ********0123 would now be queued for billing; Try it queues nothing.",
                     "A one-time code would now be texted to ********3456; Try it sends nothing: type 123456."]
    assert [codes.check("+447911123456", code) for code in ("123456", "1234", "654321", "")] == \
        ["approved", "approved", "wrong", "wrong"]
    assert PracticeCodes([], [4, 8]).codes == ["1234", "12345678"]


def test_a_step_up_in_try_it_texts_nobody(customers, tmp_path, monkeypatch):
    """Billing requires a one-time code: the pane says what to type, and nothing reaches Twilio Verify."""
    def no_network(self, request, **kwargs):
        raise AssertionError(f"Try it tried to reach {request.url}")

    monkeypatch.setattr(requests.Session, "send", no_network)
    draft = variants.write(tmp_path / "flows", variants.step_up())
    add_accounts(customers)
    from tests.conftest import make_settings
    from webhooks.app import create_app

    app = create_app(make_settings(customers, flows_dir=draft, twilio_account_sid=ACCOUNT_SID,
                                   twilio_verify_service_sid=SERVICE_SID))
    with TestClient(app, base_url=BASE_URL) as client:
        sign_in(client, "sam")
        pane = Pane.start(client, source="draft", channel="voice").send("1023456781#", "03031985", "SW1A 1AA", "1")
        # The phone's last four, read digit by digit, are masked as logs mask them.
        assert "I've sent a code by text message to your phone ending [redacted]" in pane.last
        assert "A one-time code would now be texted to ********3456; Try it sends nothing: type 123456." in pane.notes()
        pane.send("111111")
        assert "That code isn't right" in pane.last
        pane.send("123456")
        assert pane.last == "Putting you through now."
        assert any(n.startswith("Handed over to billing") for n in pane.notes())
        assert pane.said("from-customer")[-2:] == ["[verification answer withheld]"] * 2
