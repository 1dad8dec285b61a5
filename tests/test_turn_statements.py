"""The SQL a verification call costs, pinned: each statement is a round trip (on PostgreSQL, over the
network) on every turn of every call, so the count may only change on purpose, here, with a reason.
benchmarks/profile_turns.py prints the same figures under load."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import event

from bot.store.db import get_engine
from tests.conftest import BASE_URL, TOKEN, make_settings
from tests.twilio_phone import TwilioPhone
from webhooks.app import create_app

# Per request of one call: answered, number, date of birth, postcode (verified), department (handoff),
# then Twilio's status callback. Neither database's BEGIN is counted (SQLite's BEGIN IMMEDIATE goes
# straight to the driver, psycopg's is implicit). PostgreSQL inserts a new conversation with ON CONFLICT DO
# NOTHING (no savepoint: it was two statements more), writes the conversation's row and the turn's events
# in one statement (a data-modifying WITH), and takes the number's and the caller's advisory locks in one
# statement at the decision.
EXPECTED = {
    "sqlite": [5, 4, 4, 6, 5, 2],
    "postgresql": [4, 3, 3, 6, 4, 2],
}


def test_a_verification_call_runs_the_statements_it_needs_and_no_more(customers):
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    app = create_app(make_settings(customers))
    engine = get_engine(customers)  # the app's (created with the serving timeouts)
    with TestClient(app, base_url=BASE_URL) as http:
        phone = TwilioPhone(http, token=TOKEN, base_url=BASE_URL)
        event.listen(engine, "before_cursor_execute", count)
        per_request: list[int] = []
        try:
            for step in (phone.dial, lambda: phone.press("1023456781#"), lambda: phone.press("03031985"),
                         lambda: phone.say("SW1A 1AA"), lambda: phone.press("1"), phone.hang_up):
                before = len(seen)
                step()
                per_request.append(len(seen) - before)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert phone.handoff is not None and phone.handoff.queue == "billing"
    assert per_request == EXPECTED[engine.dialect.name], f"{per_request}:\n" + "\n".join(seen)
