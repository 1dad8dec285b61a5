"""A turn that cannot finish inside TURN_TIMEOUT_SECONDS: the caller hears the apology and goes to a
colleague (a chat gets a clear message), within the budget; the late turn changes nothing; and the
event loop, never blocked, keeps answering everyone else meanwhile."""
from __future__ import annotations

import asyncio
import threading
import time

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine

import bot.turns
from bot.customers.importer import import_customers
from bot.store.db import normalise_url, timeouts_for_turns, transaction
from bot.store.models import Conversation, Event
from tests.chat_clients import Texter, WebChat
from tests.conftest import BASE_URL, DEMO_CSV, TABLES, TOKEN, make_settings
from tests.live_server import bot_serve
from tests.twilio_phone import TwilioPhone
from webhooks.app import create_app

APOLOGY = "Sorry, something went wrong on our side"


def slow_engine(monkeypatch, seconds: float) -> None:
    """Every turn takes `seconds` inside its transaction (a slow look-up, a database under strain)."""
    run_turn = bot.turns.run_turn

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return run_turn(*args, **kwargs)

    monkeypatch.setattr(bot.turns, "run_turn", slow)


def conversation(url: str, key: str) -> tuple[int, int]:
    """(turn, events) of a conversation as stored."""
    with transaction(url) as session:
        row = session.scalar(select(Conversation).where(Conversation.session_key == key))
        events = len(list(session.scalars(select(Event).where(Event.conversation_id == row.id))))
        return row.turn, events


def test_the_database_timeouts_sit_inside_the_turn_and_twilio_budgets():
    for seconds in (1, 3, 10, 14):
        timeouts = timeouts_for_turns(seconds)
        assert timeouts.lock_ms < timeouts.statement_ms < seconds * 1000 < 15_000
        assert timeouts.connect_seconds < max(seconds, 3) + 1


def test_a_turn_past_its_deadline_answers_the_apology_in_time_and_changes_nothing(customers, monkeypatch):
    app = create_app(make_settings(customers, turn_timeout_seconds=1))
    with TestClient(app, base_url=BASE_URL) as http:
        phone = TwilioPhone(http, token=TOKEN, base_url=BASE_URL)
        phone.dial()
        before = conversation(customers, phone.call_sid)
        slow_engine(monkeypatch, 2.0)
        started = time.monotonic()
        phone.press("1023456781#")
        took = time.monotonic() - started
        assert took < 1.8, took  # the deadline, not the slow turn, decided when the caller heard back
        assert APOLOGY in phone.log.said[-1]
        assert phone.handoff is not None and phone.handoff.queue == "general"  # a colleague, not a dead line
        time.sleep(1.5)  # the abandoned turn finishes in its thread, past the deadline ...
        assert conversation(customers, phone.call_sid) == before  # ... and commits nothing


def test_chat_channels_get_a_clear_message_when_a_turn_runs_out_of_time(customers, monkeypatch):
    app = create_app(make_settings(customers, turn_timeout_seconds=1))
    with TestClient(app, base_url=BASE_URL) as http:
        chat = WebChat(http).open()
        texter = Texter(http, token=TOKEN, base_url=BASE_URL)
        texter.text("Hi")
        slow_engine(monkeypatch, 2.0)
        started = time.monotonic()
        response = chat.post("1023456781")
        assert time.monotonic() - started < 1.8
        assert response.status_code == 503 and response.headers["retry-after"]
        assert response.json() == {"detail": "we could not answer in time; please send that again in a moment"}
        texter.text("1023456781")
        assert APOLOGY in texter.last
        time.sleep(1.5)


@pytest.fixture
def pg_customers(postgres_server_url, bundle):
    from bot.store.db import get_engine

    with get_engine(postgres_server_url).begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    with transaction(postgres_server_url) as session:
        assert import_customers(session, DEMO_CSV, schemes=bundle.schemes, region="GB").ok
    return postgres_server_url


@pytest.mark.postgres
def test_a_held_row_lock_ends_in_the_apology_within_the_budget_while_healthz_answers(pg_customers, tmp_path):
    """Another connection holds the conversation's row (SELECT ... FOR UPDATE) through the caller's turn."""
    budget = 3.0
    with bot_serve(pg_customers, tmp_path, TURN_TIMEOUT_SECONDS=str(budget)) as (base, _log), \
            httpx2.Client(timeout=30) as http:
        phone = TwilioPhone(http, token=TOKEN, base_url=base)
        phone.dial()
        before = conversation(pg_customers, phone.call_sid)
        holder = create_engine(normalise_url(pg_customers))
        answered: dict = {}
        with holder.connect() as connection:
            connection.execute(text("SELECT id FROM conversations WHERE session_key = :key FOR UPDATE"),
                               {"key": phone.call_sid})

            def answer() -> None:
                started = time.monotonic()
                phone.press("1023456781#")
                answered["seconds"] = time.monotonic() - started

            caller = threading.Thread(target=answer)
            caller.start()
            probes = []
            while caller.is_alive():
                started = time.monotonic()
                status = httpx2.get(base + "/healthz", timeout=5).status_code
                probes.append((status, time.monotonic() - started))
                time.sleep(0.05)
            caller.join()
            connection.rollback()
        holder.dispose()
    assert answered["seconds"] < budget + 1.0 < 15, answered
    assert APOLOGY in phone.log.said[-1] and phone.handoff.queue == "general"
    assert len(probes) >= 5 and all(status == 200 for status, _ in probes), probes
    assert max(seconds for _, seconds in probes) < 0.5, probes  # the loop was never blocked
    assert conversation(pg_customers, phone.call_sid) == before


def test_database_work_runs_off_the_event_loop(customers):
    """Every statement a call runs is executed on a thread without a running event loop (the thread
    pool), never on the loop that answers everyone else."""
    seen = {"off": 0, "on": []}

    def where(conn, cursor, statement, parameters, context, executemany):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            seen["off"] += 1
        else:
            seen["on"].append(statement[:60])

    event.listen(Engine, "before_cursor_execute", where)
    try:
        with TestClient(create_app(make_settings(customers)), base_url=BASE_URL) as http:
            phone = TwilioPhone(http, token=TOKEN, base_url=BASE_URL)
            phone.dial().press("1023456781#").press("03031985").say("SW1A 1AA").press("1")
            assert phone.handoff is not None and phone.handoff.queue == "billing"
            chat = WebChat(http).open()
            chat.send("1023456781")
            Texter(http, token=TOKEN, base_url=BASE_URL).text("Hi")
            assert http.get("/readyz").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", where)
    assert seen["on"] == []
    assert seen["off"] >= 20  # the call's statements were seen: the check cannot pass by seeing nothing


def test_work_handed_over_sees_the_request_context_and_a_forked_child_gets_a_pool_of_its_own():
    import contextvars
    import os

    from starlette.requests import Request

    from bot import deadline
    from webhooks import offload

    seen = contextvars.ContextVar("seen", default=None)

    class App:
        class state:
            settings = make_settings("postgresql://unused")

    async def hand_over():
        seen.set("the request's")
        request = Request({"type": "http", "app": App, "headers": [], "method": "POST", "path": "/"})
        return await offload.in_time(request, lambda: (seen.get(), deadline.remaining() is not None))

    assert asyncio.run(hand_over()) == ("the request's", True)
    parent = offload._threads()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        try:
            async def in_the_child():
                return await asyncio.wait_for(offload._threads().submit(asyncio.get_running_loop(), lambda: 1), 5)

            ok = offload._threads() is not parent and asyncio.run(in_the_child()) == 1
        except BaseException:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"


def test_the_threads_run_work_side_by_side_up_to_their_limit_and_skip_work_whose_wait_was_cancelled():
    import threading

    from webhooks.offload import _Hop

    hop = _Hop(3)
    gate, started, ran = threading.Event(), [], []

    def held(name):
        def work():
            started.append(name)
            gate.wait(5)
            ran.append(name)
            return name
        return work

    async def main():
        loop = asyncio.get_running_loop()
        first = [hop.submit(loop, held(n)) for n in ("a", "b", "c")]
        late = hop.submit(loop, held("d"))  # all three threads are busy: it waits in the queue
        skipped = hop.submit(loop, held("e"))
        for _ in range(200):
            if len(started) == 3:
                break
            await asyncio.sleep(0.01)
        assert sorted(started) == ["a", "b", "c"] and hop.threads == 3  # side by side, and no more threads
        skipped.cancel()  # its deadline passed while it waited
        gate.set()
        assert [await f for f in first] == ["a", "b", "c"] and await late == "d"

        def boom():
            raise ValueError("from the thread")
        with pytest.raises(ValueError, match="from the thread"):
            await hop.submit(loop, boom)

    asyncio.run(main())
    for _ in range(500):  # every thread back waiting: the queue is empty, "e" has been taken (and skipped)
        if hop.waiting == 3 and hop.queued == 0:
            break
        time.sleep(0.01)
    assert hop.waiting == 3 and hop.queued == 0
    assert "e" not in started and sorted(ran) == ["a", "b", "c", "d"]
