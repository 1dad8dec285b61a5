"""The overview on the seeded conversations: per day by channel, verification, outcomes, departments, locks."""
from __future__ import annotations

import dataclasses
import datetime as dt

from bot.reporting import overview, overview_tables
from bot.reporting.locks import locked_now, locks_on
from bot.store.db import transaction
from bot.verification.lockout import SqlLedger, unlock
from bot.verification.policy import Lockout
from tests.reporting.conftest import SEED_PERIOD
from tests.reporting.seed import DAY1, DAY2, DAY3

UTC = dt.timezone.utc


def test_every_figure_of_the_overview(seeded):
    url, _ = seeded
    with transaction(url) as session:
        report = overview(session, SEED_PERIOD)
    assert report.conversations == 11
    assert [(d.day, d.counts) for d in report.days] == [
        (DAY1, {"voice": 3, "sms": 0, "whatsapp": 0, "web": 1}),
        (DAY2, {"voice": 3, "sms": 1, "whatsapp": 0, "web": 0}),
        (DAY3, {"voice": 2, "sms": 0, "whatsapp": 0, "web": 1})]
    # Reached the first verification question (the date of birth): everyone but V4; verified: 7.
    assert [(v.channel, v.reached, v.verified) for v in report.verification] == [
        ("all", 10, 7), ("voice", 7, 5), ("sms", 1, 0), ("whatsapp", 0, 0), ("web", 2, 2)]
    assert report.verification[0].rate == 0.7 and report.verification[3].rate is None
    assert report.outcomes == {"handed_off": 6, "contained": 2, "abandoned": 3, "in_progress": 0}
    assert round(report.containment, 4) == round(2 / 11, 4)
    assert [(d.department, d.handed_off, d.contained) for d in report.departments] == [
        ("billing", 3, 1), ("cards", 2, 0), ("general", 1, 0)]


def test_the_channel_filter_and_the_range(seeded):
    url, _ = seeded
    with transaction(url) as session:
        voice = overview(session, dataclasses.replace(SEED_PERIOD, channel="voice"))
        day2 = overview(session, dataclasses.replace(
            SEED_PERIOD, since=dt.datetime(2026, 3, 3, tzinfo=UTC), until=dt.datetime(2026, 3, 4, tzinfo=UTC)))
    assert voice.conversations == 8 and voice.channels == ("voice",)
    assert [d.counts for d in voice.days] == [{"voice": 3}, {"voice": 3}, {"voice": 2}]
    assert [(v.channel, v.reached, v.verified) for v in voice.verification] == [("all", 7, 5)]
    assert voice.outcomes == {"handed_off": 4, "contained": 2, "abandoned": 2, "in_progress": 0}
    assert day2.conversations == 4 and [d.day for d in day2.days] == [DAY2]
    assert day2.outcomes == {"handed_off": 1, "contained": 0, "abandoned": 3, "in_progress": 0}
    assert [(v.channel, v.reached, v.verified) for v in day2.verification][0] == ("all", 3, 0)


def test_overview_tables_are_the_same_figures(seeded):
    url, _ = seeded
    with transaction(url) as session:
        tables = overview_tables(overview(session, SEED_PERIOD))
    assert tables["conversations-per-day"].rows[1] == {"day": DAY2, "voice": 3, "sms": 1, "whatsapp": 0, "web": 0,
                                                       "total": 4}
    assert tables["verification"].rows[0] == {"channel": "all", "reached": 10, "verified": 7, "rate_pct": 70.0}
    assert tables["outcomes"].rows[1] == {"outcome": "contained", "conversations": 2, "pct": 18.2}
    assert "containment: contained / conversations that are over: 18.2% (2 of 11)" in tables["outcomes"].notes[-1]
    assert tables["departments"].to_csv().splitlines() == ["department,handed_off,contained", "billing,3,1",
                                                           "cards,2,0", "general,1,0"]


def test_locks_today_and_locked_now(database_url):
    now = dt.datetime(2026, 3, 4, 15, tzinfo=UTC)
    lockout = Lockout(threshold=3, window_hours=24)
    with transaction(database_url) as session:
        for number, when in (("1023456781", now - dt.timedelta(hours=2)), ("2076543213", now - dt.timedelta(hours=30)),
                             ("3011122238", now - dt.timedelta(hours=1))):
            ledger = SqlLedger(session, lockout, channel="voice", conversation_id=None, clock=lambda w=when: w)
            for _ in range(3):
                ledger.decide(number, passed=False)
        unlock(session, "3011122238", by="admin", reason="verified by phone", clock=lambda: now)
        unlock(session, "1055500018", by="admin", reason="no lock: counting restarts", clock=lambda: now)
    with transaction(database_url) as session:
        assert locks_on(session, now.date()) == 2  # the first and the third; the unlock-only row is no lock
        assert locks_on(session, (now - dt.timedelta(days=1)).date()) == 1
        locked = locked_now(session, lockout, now=now)
    # The second lapsed (its failures left the 24-hour window); the third was unlocked.
    assert [(item.customer_number, item.failures) for item in locked] == [("1023456781", 3)]
