"""The lockout ledger and velocity limits on the real store (SQLite and PostgreSQL): counts, windows,
unlocks with their audit record, origins, and concurrent failures counted exactly."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from bot.store.db import transaction
from bot.store.models import FailedAttempt, Lock, VerificationDecision
from bot.verification.lockout import SqlLedger, unlock
from bot.verification.policy import Lockout
from bot.verification.policy_file import Limit, Velocity
from bot.verification.velocity import caller_origin, client_origin, origin_for

NUMBER = "1023456781"
T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


def ledger(session, clock, *, origin=None, threshold=3, window_hours=24, velocity=None):
    return SqlLedger(session, Lockout(threshold, window_hours), channel="voice", conversation_id=None, clock=clock,
                     origin=origin, velocity=velocity)


def decide(url, clock, number=NUMBER, *, passed=False, recovered=False, **kwargs):
    with transaction(url) as session:
        return ledger(session, clock, **kwargs).decide(number, passed=passed, recovered=recovered)


def fail(url, clock, number=NUMBER, **kwargs) -> bool:
    """One wrong answer; True when callers are refused from now on (this failure locked, or it was refused)."""
    decision = decide(url, clock, number, **kwargs)
    return decision.locks or decision.outcome == "refused"


def reason(url, clock, number=NUMBER, **kwargs):
    with transaction(url) as session:
        return ledger(session, clock, **kwargs).lock_reason(number)


def test_three_failures_in_the_window_lock_the_number(database_url):
    clock = Clock()
    assert [fail(database_url, clock) for _ in range(3)] == [False, False, True]
    assert reason(database_url, clock) == "locked"
    assert reason(database_url, clock, number="2076543213") is None  # per number
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Lock)) == 1


def test_failures_older_than_the_window_stop_counting(database_url):
    clock = Clock()
    fail(database_url, clock)
    fail(database_url, clock)
    clock.now = T0 + dt.timedelta(hours=24, seconds=1)
    assert fail(database_url, clock) is False
    assert reason(database_url, clock) is None


def test_unlock_restarts_the_count_and_is_audited(database_url):
    clock = Clock()
    for _ in range(3):
        fail(database_url, clock)
    clock.now += dt.timedelta(minutes=5)
    with transaction(database_url) as session:
        assert unlock(session, NUMBER, by="agent7", reason="caller proved identity in branch", clock=clock) == 1
    assert reason(database_url, clock) is None
    clock.now += dt.timedelta(minutes=1)
    assert fail(database_url, clock) is False  # counting starts again from the unlock
    with transaction(database_url) as session:
        record = session.scalar(select(VerificationDecision).where(VerificationDecision.result == "unlocked"))
        lock = session.scalar(select(Lock))
    assert (record.customer_number, record.actor, record.channel) == (NUMBER, "agent7", "cli")
    assert record.reason == "caller proved identity in branch" and record.conversation_id is None
    assert (lock.unlocked_by, lock.unlock_reason) == ("agent7", "caller proved identity in branch")


def test_unknown_numbers_are_counted_and_locked_like_known_ones(database_url):
    clock = Clock()
    unknown = "1055500026"
    assert [fail(database_url, clock, unknown) for _ in range(3)] == [False, False, True]
    assert reason(database_url, clock, unknown) == "locked"


def test_velocity_counts_failures_per_origin_whatever_the_numbers(database_url):
    clock = Clock()
    velocity = Velocity(caller_id=Limit(4, 60), client_address=Limit(2, 60))
    caller = caller_origin("+447700900123")
    numbers = ["1023456781", "2076543213", "3011122238", "1055500026"]
    results = [fail(database_url, clock, n, origin=caller, velocity=velocity) for n in numbers]
    assert results == [False, False, False, True]  # no number reached 3; the caller reached 4
    assert reason(database_url, clock, "9999999999", origin=caller, velocity=velocity) == "velocity"
    assert reason(database_url, clock, "9999999999", origin=caller_origin("+447700900999"), velocity=velocity) is None
    clock.now += dt.timedelta(minutes=61)
    assert reason(database_url, clock, "9999999999", origin=caller, velocity=velocity) is None
    web = client_origin("203.0.113.9")
    assert [fail(database_url, clock, n, origin=web, velocity=velocity) for n in numbers[:2]] == [False, True]
    with transaction(database_url) as session:
        stored = set(session.scalars(select(FailedAttempt.origin)))
    assert "+447700900123" not in str(stored) and "203.0.113.9" not in str(stored)  # hashed


def test_origins_of_one_phone_agree_across_channels_and_each_withheld_call_is_its_own():
    assert origin_for("voice", caller="+447700900123") == origin_for("whatsapp", caller="whatsapp:+447700900123")
    assert origin_for("sms", caller="+44 7700 900123") == caller_origin("+447700900123")
    assert origin_for("web", caller=None, client_address="203.0.113.9").startswith("client:")
    assert caller_origin("+447700900123") != caller_origin("+447700900124")
    # Withheld: not one origin for everybody who withholds their number, but one per call.
    first, second = caller_origin("anonymous", session_key="CA1"), caller_origin("+266696687", session_key="CA2")
    assert first.startswith("withheld:") and second.startswith("withheld:") and first != second
    assert caller_origin(None, session_key="CA1") == first


def test_one_withheld_caller_does_not_turn_away_the_others_but_all_of_them_together_are_bounded(database_url):
    clock = Clock()
    velocity = Velocity(caller_id=Limit(3, 60), client_address=Limit(3, 60), withheld=Limit(5, 60))
    attacker = caller_origin("anonymous", session_key="CA-attacker")
    numbers = ["1023456781", "2076543213", "3011122238", "1055500026"]
    assert [fail(database_url, clock, n, origin=attacker, velocity=velocity) for n in numbers[:3]] == [False, False, True]
    assert reason(database_url, clock, "9999999999", origin=attacker, velocity=velocity) == "velocity"
    # Another withheld caller is not refused because of the first one.
    honest = caller_origin("anonymous", session_key="CA-honest")
    assert reason(database_url, clock, "9999999999", origin=honest, velocity=velocity) is None
    # But withheld callers together may fail only 5 times an hour, however many calls they make.
    others = [caller_origin("anonymous", session_key=f"CA-{i}") for i in range(3)]
    assert [fail(database_url, clock, n, origin=o, velocity=velocity) for n, o in zip(numbers[1:], others)] == [False, True, True]
    assert reason(database_url, clock, "9999999999", origin=honest, velocity=velocity) == "velocity"
    # Callers who show their number are not affected by the withheld callers' limit.
    assert reason(database_url, clock, "9999999999", origin=caller_origin("+447700900123"), velocity=velocity) is None


def test_the_audit_trail_refuses_updates_and_deletes(database_url):
    with transaction(database_url) as session:
        unlock(session, NUMBER, by="agent7", reason="test")
    for statement in (update(VerificationDecision).values(result="verified"),
                      text("DELETE FROM verification_decisions")):
        with pytest.raises(DBAPIError, match="append-only"):
            with transaction(database_url) as session:
                session.execute(statement)
    with transaction(database_url) as session:
        assert session.scalar(select(VerificationDecision.result)) == "unlocked"


def _race(url, n, attempt):
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(index):
        try:
            with transaction(url) as session:
                start.wait(timeout=30)  # all open their transactions, then race
                attempt(session, index)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_twenty_concurrent_decisions_on_one_number_count_exactly_the_threshold(database_url):
    url = database_url
    clock = Clock()
    outcomes: list = []
    # Nineteen wrong answers and one right one, all at once, each in its own transaction.
    _race(url, 20, lambda session, i: outcomes.append(ledger(session, clock).decide(NUMBER, passed=i == 7)))
    counted = count(url, FailedAttempt)
    assert counted == 3 and count(url, Lock) == 1
    kinds = sorted(d.outcome for d in outcomes)
    verified = kinds.count("verified")
    assert verified <= 1 and kinds.count("failed") == 3 and kinds.count("refused") == 17 - verified
    assert sum(d.locks for d in outcomes) == 1  # exactly one failure locked the number
    assert reason(url, clock) == "locked"


def test_concurrent_failures_from_one_address_stop_exactly_at_its_limit(database_url):
    url = database_url
    clock = Clock()
    velocity = Velocity(client_address=Limit(10, 60))
    web = client_origin("203.0.113.9")
    numbers = [f"10{i:08d}" for i in range(14)]
    outcomes: list = []
    _race(url, 14, lambda session, i: outcomes.append(
        ledger(session, clock, origin=web, velocity=velocity).decide(numbers[i], passed=False)))
    assert count(url, FailedAttempt) == 10
    assert sorted(d.outcome for d in outcomes) == ["failed"] * 10 + ["refused"] * 4


def count(url, model) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(model))
