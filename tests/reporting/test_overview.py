"""The overview on the seeded conversations: per day by channel, verification, outcomes, departments, locks."""
from __future__ import annotations

import dataclasses
import datetime as dt

from bot.reporting import overview, overview_tables
from bot.reporting.locks import locked_now, locks_on
from bot.store.db import transaction
from bot.verification.lockout import SqlLedger, unlock
from bot.verification.policy import Lockout
from tests.reporting.conftest import RECOVERY_PERIOD, SEED_PERIOD
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
    assert "locks-today" not in tables  # today's locks need today: overview(..., now=...)


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


# --- Handoff outcomes (the seed's voice handoffs: see seed.HANDOFFS) ---

def _handoffs(report):
    return [(r.channel, r.department, r.handed_over, r.answered, r.abandoned, r.left, r.not_taken, r.pending,
             r.average_wait_seconds, r.longest_wait_seconds) for r in report.handoffs.rows]


def test_handoff_outcomes_and_the_wait_per_channel_and_department(seeded):
    url, _ = seeded
    with transaction(url) as session:
        report = overview(session, SEED_PERIOD)
    assert _handoffs(report) == [("voice", "billing", 2, 1, 0, 1, 0, 0, 77.5, 125),
                                 ("voice", "cards", 1, 0, 1, 0, 0, 0, 90.0, 90),
                                 ("voice", "general", 1, 0, 0, 0, 1, 0, 15.0, 15)]
    total = report.handoffs.total
    assert (total.channel, total.handed_over, total.answered, total.abandoned, total.left, total.not_taken,
            total.pending, total.average_wait_seconds, total.longest_wait_seconds) == ("all", 4, 1, 1, 1, 1, 0, 65.0, 125)
    assert total.answered_share == 0.25
    table = overview_tables(report)["handoff-outcomes"]
    assert table.to_csv().splitlines() == [
        "channel,department,handed_over,answered,answered_pct,abandoned,abandoned_pct,left,left_pct,not_taken,"
        "not_taken_pct,pending,average_wait_seconds,longest_wait_seconds",
        "voice,billing,2,1,50.0,0,0.0,1,50.0,0,0.0,0,77.5,125",
        "voice,cards,1,0,0.0,1,100.0,0,0.0,0,0.0,0,90.0,90",
        "voice,general,1,0,0.0,0,0.0,0,0.0,1,100.0,0,15.0,15",
        "all,all,4,1,25.0,1,25.0,1,25.0,1,25.0,0,65.0,125"]
    assert "failed: the line was busy, did not answer, failed or the call was canceled" in table.notes


def test_handoff_outcomes_follow_the_period_and_the_channel(seeded):
    url, _ = seeded
    with transaction(url) as session:
        day2 = overview(session, dataclasses.replace(SEED_PERIOD, since=dt.datetime(2026, 3, 3, tzinfo=UTC),
                                                     until=dt.datetime(2026, 3, 4, tzinfo=UTC)))
        voice = overview(session, dataclasses.replace(SEED_PERIOD, channel="voice"))
        web = overview(session, dataclasses.replace(SEED_PERIOD, channel="web"))
        day3 = overview(session, dataclasses.replace(SEED_PERIOD, since=dt.datetime(2026, 3, 4, tzinfo=UTC)))
    assert _handoffs(day2) == [("voice", "general", 1, 0, 0, 0, 1, 0, 15.0, 15)]
    assert (day2.handoffs.total.handed_over, day2.handoffs.total.not_taken) == (1, 1)
    assert len(voice.handoffs.rows) == 3 and voice.handoffs.total.handed_over == 4
    # The web chats were handed to the desk: no outcome rows, and none on the seed's last day.
    assert web.handoffs.rows == [] and web.handoffs.total is None
    assert day3.handoffs.rows == [] and overview_tables(day3)["handoff-outcomes"].rows == []


def test_a_handoff_still_waiting_is_pending_and_left_out_of_the_shares(seeded):
    from bot.store.handoffs import handoff_started

    url, ids = seeded
    with transaction(url) as session:
        handoff_started(session, conversation_id=ids["V1"], call_sid="SEED-V1", department="billing", target="queue",
                        at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    with transaction(url) as session:
        report = overview(session, SEED_PERIOD)
    assert _handoffs(report)[0] == ("voice", "billing", 3, 1, 0, 1, 0, 1, 77.5, 125)
    assert overview_tables(report)["handoff-outcomes"].rows[0]["answered_pct"] == 50.0  # 1 of the 2 that ended


# --- Number recoveries (seed.RECOVERY_SCRIPTS) ---

def _recoveries(report):
    return [(r.channel, r.counts) for r in report.recoveries]


def _counts(attempted, texted, no_phone, not_matched, unfinished, unavailable):
    return {"attempted": attempted, "texted": texted, "no_phone": no_phone, "not_matched": not_matched,
            "unfinished": unfinished, "unavailable": unavailable}


def test_number_recoveries_by_channel(recovery_seeded):
    url, _ = recovery_seeded
    with transaction(url) as session:
        report = overview(session, RECOVERY_PERIOD)
        seed_days = overview(session, SEED_PERIOD)
    assert _recoveries(report) == [("all", _counts(5, 2, 0, 2, 1, 1)), ("voice", _counts(3, 1, 0, 1, 1, 0)),
                                   ("sms", _counts(1, 1, 0, 0, 0, 0)), ("whatsapp", _counts(0, 0, 0, 0, 0, 0)),
                                   ("web", _counts(1, 0, 0, 1, 0, 1))]
    assert report.recoveries[0].share("texted") == 0.4
    # A recovered number verifies the caller: RV1 and RS1, of the five asked a verification detail.
    assert [(v.channel, v.reached, v.verified) for v in report.verification][:3] == [
        ("all", 5, 2), ("voice", 3, 1), ("sms", 1, 1)]
    assert overview_tables(report)["recoveries"].to_csv().splitlines() == [
        "channel,attempted,texted,texted_pct,no_phone,no_phone_pct,not_matched,not_matched_pct,unfinished,"
        "unfinished_pct,unavailable",
        "all,5,2,40.0,0,0.0,2,40.0,1,20.0,1",
        "voice,3,1,33.3,0,0.0,1,33.3,1,33.3,0",
        "sms,1,1,100.0,0,0.0,0,0.0,0,0.0,0",
        "whatsapp,0,0,,0,,0,,0,,0",
        "web,1,0,0.0,0,0.0,1,100.0,0,0.0,1"]
    assert seed_days.recoveries == []  # none where none was asked for: the console says so


def test_number_recoveries_follow_the_period_and_the_channel(recovery_seeded):
    url, _ = recovery_seeded
    with transaction(url) as session:
        second_day = overview(session, dataclasses.replace(RECOVERY_PERIOD, since=dt.datetime(2026, 3, 11, tzinfo=UTC)))
        web = overview(session, dataclasses.replace(RECOVERY_PERIOD, channel="web"))
        sms_first_day = overview(session, dataclasses.replace(RECOVERY_PERIOD, channel="sms",
                                                              until=dt.datetime(2026, 3, 11, tzinfo=UTC)))
    assert _recoveries(second_day)[:2] == [("all", _counts(2, 0, 0, 1, 1, 1)), ("voice", _counts(2, 0, 0, 1, 1, 0))]
    assert _recoveries(web) == [("all", _counts(1, 0, 0, 1, 0, 1))]
    assert _recoveries(sms_first_day) == [("all", _counts(1, 1, 0, 0, 0, 0))]


def test_a_one_time_code_clearing_a_lock_is_not_a_number_recovery():
    from bot.reporting.facts import ConversationFacts, _apply

    item = ConversationFacts("c", "voice", dt.datetime(2026, 3, 2, tzinfo=UTC), True, None, "v", None)
    _apply(item, 1, "one_time_code", "recovered", None)
    assert item.recoveries == []
    _apply(item, 2, "recover_number", "recovery", "details")
    _apply(item, 3, "recover_number", "recovered", "no phone on file")
    _apply(item, 4, "recover_number", "recovery", "caller_id")
    assert item.recoveries == ["no_phone", "unfinished"]


# --- Locks today ---

def test_locks_today_is_the_utc_day_whatever_the_clock_s_zone(database_url):
    from bot.reporting.locks import lock_counts

    lockout = Lockout(threshold=3, window_hours=24)
    late = dt.datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    with transaction(database_url) as session:
        ledger = SqlLedger(session, lockout, channel="sms", conversation_id=None, clock=lambda: late)
        for _ in range(3):
            ledger.decide("1023456781", passed=False)
    # 00:30 the next day in Athens is still 4 March in UTC: the lock set at 23:30 UTC is today's.
    athens = dt.datetime(2026, 3, 5, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with transaction(database_url) as session:
        counts = lock_counts(session, now=athens, lockout=lockout)
        report = overview(session, SEED_PERIOD, now=athens, lockout=lockout)
        next_day = lock_counts(session, now=dt.datetime(2026, 3, 5, 8, tzinfo=UTC), lockout=None)
    assert (counts.day, counts.today, counts.locked_now) == (DAY3, 1, 1)
    assert overview_tables(report)["locks-today"].rows == [{"day": DAY3, "locks_set": 1, "locked_now": 1}]
    assert (next_day.today, next_day.locked_now) == (0, None)
