"""The parked-session attack: many calls or chats open at once on one customer number, all waiting at
the questions, answered wrong one after another and then right. The decision re-reads the lock and
the velocity limits under the number's lock when it decides, so no more failures count than the
policy allows, and nobody is verified once the number is locked: on SQLite and PostgreSQL, through
one server or two."""
from __future__ import annotations

import random
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.store.db import transaction
from bot.store.models import FailedAttempt, Lock, VerificationDecision
from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, TOKEN, make_settings
from tests.twilio_phone import TwilioPhone

ALICE = "1023456781"


def count(url, model, *where) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def results(url) -> list[tuple[str, str | None]]:
    with transaction(url) as session:
        return [(d.result, d.reason) for d in session.scalars(
            select(VerificationDecision).where(VerificationDecision.result != "unlocked").order_by(VerificationDecision.id))]


def other_numbers(bundle, n: int) -> list[str]:
    """Valid customer numbers that are nobody's: failures count against them like any other."""
    rng = random.Random(7)
    numbers: list[str] = []
    while len(numbers) < n:
        number = bundle.schemes.default.generate("10", rng)
        if number not in numbers and number != ALICE:
            numbers.append(number)
    return numbers


def test_eight_parked_calls_cannot_outrun_the_lock(phone, database_url):
    calls = [phone().dial() for _ in range(8)]
    for call in calls:
        call.press(ALICE + "#")
        assert "date of birth" in call.last  # all eight wait at the first question
    for call in calls[:7]:
        call.press("01011970")
        call.say("SW1A 1AA")
    right = calls[7]
    right.press("03031985")
    right.say("SW1A 1AA")
    assert "you're verified" not in right.last
    assert right.task["verified"] is False and right.task["locked"] is True
    assert count(database_url, FailedAttempt) == 3  # exactly the threshold, not seven
    assert count(database_url, Lock) == 1
    assert results(database_url) == [("failed", "details-mismatch")] * 2 + [("failed", "locked")] + [("locked", "locked")] * 5
    for refused in calls[3:7]:
        assert refused.task["locked"] is True


def parked_chats(http, numbers: list[str]) -> list[WebChat]:
    """A web chat per number, all waiting at the first question; then all but the last answer wrong, the last right."""
    chats = [WebChat(http).open() for _ in numbers]
    for chat, number in zip(chats, numbers):
        chat.send(number)
        assert "date of birth" in chat.last
    for chat in chats[:-1]:
        chat.send("01/01/1970")
        chat.send("SW1A 1AA")
    chats[-1].send("03/03/1985")
    chats[-1].send("SW1A 1AA")
    return chats


def test_fourteen_parked_web_chats_cannot_outrun_the_lock(http, database_url):
    right = parked_chats(http, [ALICE] * 14)[-1]
    assert "verified" not in right.last
    assert right.handoff["verified"] is False and right.handoff["locked"] is True
    assert count(database_url, FailedAttempt) == 3
    assert count(database_url, Lock) == 1
    assert [r for r, _ in results(database_url)].count("verified") == 0
    assert results(database_url)[3:] == [("locked", "locked")] * 11


def test_fourteen_parked_web_chats_on_many_numbers_stop_at_the_address_limit(http, database_url, bundle):
    right = parked_chats(http, other_numbers(bundle, 13) + [ALICE])[-1]
    assert right.handoff["verified"] is False
    # The address limit is 10 failures an hour: exactly ten count, then everyone from there is refused.
    assert count(database_url, FailedAttempt) == 10
    assert results(database_url)[9] == ("failed", "velocity")
    assert results(database_url)[10:] == [("locked", "velocity")] * 4


# -- at the same moment, through two servers -----------------------------------------------------

def _server(database_url: str, name: str) -> TestClient:
    from webhooks.app import create_app

    # A server of its own: its own engine and connection pool on the same database.
    separate = database_url + ("&" if "?" in database_url else "?") + f"application_name={name}" \
        if database_url.startswith("postgresql") else database_url
    return TestClient(create_app(make_settings(separate)), base_url=BASE_URL)


def _at_once(actions) -> list[BaseException]:
    start = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action):
        try:
            start.wait(timeout=30)
            action()
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.parametrize("servers", [1, 2])
def test_parked_calls_answered_at_the_same_moment(customers, servers):
    """Eight calls answer their last question at once (seven wrong, one right), spread over one or
    two servers with their own connection pools; the decisions are serialised per number."""
    url = customers
    apps = [_server(url, f"frontdoor{i}") for i in range(servers)]
    calls = [TwilioPhone(apps[i % servers], token=TOKEN, base_url=BASE_URL).dial() for i in range(8)]
    for call in calls:
        call.press(ALICE + "#")
        call.press("03031985" if call is calls[-1] else "01011970")
    errors = _at_once([lambda call=call: call.say("SW1A 1AA") for call in calls])
    assert not errors, errors
    assert count(url, FailedAttempt) == 3
    assert count(url, Lock) == 1
    outcomes = results(url)
    failed = [i for i, (result, _) in enumerate(outcomes) if result == "failed"]
    verified = [i for i, (result, _) in enumerate(outcomes) if result == "verified"]
    assert len(outcomes) == 8 and len(failed) == 3
    # The right answer is verified only if it was decided before the third failure locked the number.
    assert len(verified) <= 1 and all(i < failed[2] for i in verified)
    assert [o for i, o in enumerate(outcomes) if i not in failed + verified] == [("locked", "locked")] * (5 - len(verified))
    assert sum("you're verified" in call.last for call in calls) == len(verified)
