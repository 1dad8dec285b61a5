"""The web chat API end to end, on SQLite and PostgreSQL: real app, real store, the widget's requests."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from bot.store.db import transaction
from bot.store.models import ChatSession, Conversation, Event, FailedAttempt, RateLimitHit, VerificationDecision
from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, make_settings

ALICE = {"number": "1023456781", "dob": "03/03/1985", "postcode": "SW1A 1AA"}
UNKNOWN_VALID = "1055500026"  # valid Damm check digit, not in the directory
VOICE_WORDS = ("press", "keypad", "hash", "key in", "hear")


@pytest.fixture
def make_client(customers):
    """An app on the test database with some settings changed; closed after the test."""
    opened: list[TestClient] = []

    def make(**overrides) -> TestClient:
        from webhooks.app import create_app

        client = TestClient(create_app(make_settings(customers, **overrides)), base_url=BASE_URL)
        opened.append(client.__enter__())
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def verify(chat: WebChat, number=ALICE["number"], dob=ALICE["dob"], postcode=ALICE["postcode"]) -> WebChat:
    chat.send(number)
    chat.send(dob)
    chat.send(postcode)
    return chat


def conversation(url, session_id) -> Conversation:
    with transaction(url) as session:
        return session.scalar(select(Conversation).where(Conversation.session_key == f"web:{session_id}"))


def test_genuine_chat_user_is_verified_and_handed_over_with_the_voice_context(http, phone, database_url):
    chat = WebChat(http).open()
    assert set(chat.replies[0]) == {"session_id", "token", "messages"}
    assert "Welcome to Northwind" in chat.last and "type your customer number" in chat.last
    chat.send("1023 4567 81")  # a number typed with spaces
    assert "date of birth" in chat.last and "25/12/1980" in chat.last  # the chat example, not the keypad layout
    chat.send("03/03/1985")
    assert "postcode" in chat.last
    chat.send("sw1a 1aa")
    assert "you're verified" in chat.last
    assert [o["key"] for o in chat.options] == ["1", "2", "3", "4", "0"]
    assert chat.options[0]["label"] == "1: billing and payments"
    assert not any(word in chat.last.lower() for word in VOICE_WORDS)
    assert chat.replies[-1]["ended"] is False and chat.replies[-1]["handoff"] is None
    chat.send("I'd like to pay my bill")
    assert chat.ended and "connecting you" in chat.last
    handoff = chat.handoff
    assert handoff["channel"] == "web" and handoff["call_sid"] is None
    assert handoff["customer_number"] == ALICE["number"] and handoff["verified"] is True
    assert handoff["factors"] == ["date_of_birth", "postcode"] and handoff["department"] == "billing"
    assert handoff["segment"] == "personal" and handoff["locked"] is False

    # The same context, field for field, as a caller's <Task> attributes.
    call = phone().dial()
    call.press(ALICE["number"] + "#")
    call.press("03031985")
    call.say(ALICE["postcode"])
    call.press("1")
    voice = call.task
    assert set(voice) == set(handoff)
    assert {k: v for k, v in voice.items() if k not in ("channel", "call_sid")} == \
           {k: v for k, v in handoff.items() if k not in ("channel", "call_sid")}

    row = conversation(database_url, chat.session_id)
    assert row.channel == "web" and row.status == "closed" and row.end_reason == "handoff"
    with transaction(database_url) as session:
        decision = session.scalar(select(VerificationDecision).where(VerificationDecision.conversation_id == row.id))
    assert decision.result == "verified" and decision.channel == "web"


@pytest.mark.parametrize("dob, choice", [("3 March 1985", "1"), ("03.03.1985", "billing")])
def test_dates_in_words_or_figures_and_a_typed_key(http, dob, choice):
    chat = verify(WebChat(http).open(), dob=dob)
    assert "you're verified" in chat.last
    chat.send(choice)
    assert chat.handoff["department"] == "billing" and chat.handoff["verified"] is True


def test_impostor_is_handed_over_unverified_and_hears_what_an_unknown_number_hears(http, database_url):
    impostor = verify(WebChat(http).open(), dob="13/03/1985")
    assert "don't match our records" in impostor.last and "customer number" in impostor.last
    verify(impostor, dob="13/03/1985")
    assert impostor.ended
    handoff = impostor.handoff
    assert handoff["verified"] is False and handoff["department"] == "general"
    assert handoff["reason"] == "verification-failed" and handoff["segment"] is None
    unknown = verify(WebChat(http).open(), number=UNKNOWN_VALID)
    verify(unknown, number=UNKNOWN_VALID)
    assert [r["messages"] for r in unknown.replies] == [r["messages"] for r in impostor.replies]
    with transaction(database_url) as session:
        channels = session.scalars(select(FailedAttempt.channel).where(
            FailedAttempt.customer_number == ALICE["number"])).all()
    assert channels == ["web", "web"]


def fail_by_voice(phone, times: int):
    call = phone().dial()
    for _ in range(times):
        call.press(ALICE["number"] + "#")
        call.press("01011970")
        call.say(ALICE["postcode"])
    return call


def test_failed_calls_lock_the_number_in_chat_and_a_failed_chat_locks_it_for_callers(http, phone, database_url):
    call = fail_by_voice(phone, 2)  # two failures: the call goes to a colleague, the number is not locked yet
    assert call.task["locked"] is False
    chat = verify(WebChat(http).open(), dob="01/01/1970")  # the third failure, typed in chat, locks the number
    assert "For your security" in chat.last and chat.ended
    assert chat.handoff["locked"] is True and chat.handoff["verified"] is False
    # Right details, any channel: not even asked the questions any more.
    right = WebChat(http).open().send(ALICE["number"])
    assert "For your security" in right.last and right.handoff["locked"] is True
    caller = phone().dial()
    caller.press(ALICE["number"] + "#")
    assert "For your security" in caller.last and caller.task["locked"] is True
    with transaction(database_url) as session:
        channels = sorted(session.scalars(select(FailedAttempt.channel)).all())
    assert channels == ["voice", "voice", "web"]


def test_failed_chats_lock_the_number_for_callers(http, phone):
    first = verify(WebChat(http).open(), dob="01/01/1970")
    verify(first, dob="01/01/1970")
    assert first.handoff["locked"] is False
    second = verify(WebChat(http).open(), dob="01/01/1970")
    assert second.handoff["locked"] is True
    caller = phone().dial()
    caller.press(ALICE["number"] + "#")
    assert "For your security" in caller.last
    assert caller.task["locked"] is True and caller.task["verified"] is False


def back_date(url, session_id, minutes):
    with transaction(url) as session:
        session.execute(update(ChatSession).where(ChatSession.id == session_id)
                        .values(last_seen_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)))


def test_a_chat_idle_past_the_limit_has_expired(http, database_url):
    chat = WebChat(http).open().send(ALICE["number"])
    back_date(database_url, chat.session_id, 14)
    chat.send("03/03/1985")  # 14 minutes is inside the default 15
    assert "postcode" in chat.last
    back_date(database_url, chat.session_id, 16)
    response = chat.post(ALICE["postcode"])
    assert response.status_code == 410
    assert "15 minutes" in response.json()["detail"] and "start a new chat" in response.json()["detail"]
    assert chat.post(ALICE["postcode"]).status_code == 410  # and stays expired
    row = conversation(database_url, chat.session_id)
    assert row.status == "closed" and row.end_reason == "expired" and row.hung_up_at_step == "postcode"
    with transaction(database_url) as session:
        outcomes = session.scalars(select(Event.outcome).where(Event.conversation_id == row.id).order_by(Event.id)).all()
    assert outcomes[-1] == "expired" and outcomes.count("matched") == 2  # the late answer was never used


def test_the_idle_limit_is_configurable(make_client, database_url):
    chat = WebChat(make_client(chat_idle_minutes=30)).open().send(ALICE["number"])
    back_date(database_url, chat.session_id, 16)
    chat.send("03/03/1985")
    assert "postcode" in chat.last
    back_date(database_url, chat.session_id, 31)
    assert chat.post(ALICE["postcode"]).status_code == 410


def test_wrong_or_missing_tokens_are_refused_alike_and_change_nothing(http, database_url):
    chat = WebChat(http).open()
    other = WebChat(http).open()
    attempts = [
        chat.post("1023456781", token=None),  # no Authorization header
        chat.post("1023456781", token="not-the-token"),
        chat.post("1023456781", token=other.token),  # another session's token
        chat.post("1023456781", token=""),
        chat.post("1023456781", session_id="0" * 32),  # no such session, own token
        chat.post("1023456781", token="x", session_id="0" * 32),
        chat.post("1023456781", session_id="../../etc"),
        chat.post("1023456781", session_id="A" * 500),
        http.post(f"/chat/sessions/{chat.session_id}/messages", json={"text": "1023456781"},
                  headers={"Authorization": f"Basic {chat.token}"}),
    ]
    refused = [(r.status_code, r.json()) for r in attempts if r.status_code in (401, 404)]
    assert len(refused) == len(attempts), [(r.status_code, r.text) for r in attempts]
    # "../../etc" is not a route at all (404); every other refusal is the very same 401.
    assert {body["detail"] for code, body in refused if code == 401} == {"missing or invalid chat token"}
    assert all(r.headers.get("www-authenticate") == "Bearer" for r in attempts if r.status_code == 401)
    assert conversation(database_url, chat.session_id).turn == 1  # only the greeting
    chat.send("1023456781")
    assert "date of birth" in chat.last


def test_tokens_are_stored_only_as_hashes(http, database_url):
    chat = WebChat(http).open()
    with transaction(database_url) as session:
        row = session.get(ChatSession, chat.session_id)
    assert row.token_hash == hashlib.sha256(chat.token.encode()).hexdigest()
    assert chat.token not in (row.token_hash, row.id, row.conversation_key)


def test_oversize_and_malformed_input_get_clear_4xx(http, database_url):
    chat = WebChat(http).open()
    too_long = chat.post("1" * 501)
    assert too_long.status_code == 422 and "at most 500 characters" in too_long.json()["detail"]
    huge = chat.post(None, content=b'{"text": "' + b"x" * 20000 + b'"}', headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and "too large" in huge.json()["detail"]
    cases = {
        "not json": dict(content=b"text=hello", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        "no text": dict(json={"message": "hi"}),
        "text not a string": dict(json={"text": 1023456781}),
        "a list": dict(json=["hi"]),
        "empty": dict(json={"text": "   "}),
        "bad utf-8": dict(content=b'{"text": "\xff\xfe"}'),
    }
    for name, kwargs in cases.items():
        headers = {"Authorization": f"Bearer {chat.token}", **kwargs.pop("headers", {})}
        response = http.post(f"/chat/sessions/{chat.session_id}/messages", headers=headers, **kwargs)
        assert response.status_code == 422, (name, response.status_code, response.text)
        assert "text" in str(response.json()["detail"]) or "empty" in response.json()["detail"], name
    assert conversation(database_url, chat.session_id).turn == 1
    # Odd but valid text is answered, never a 500: NUL and lone surrogates are dropped before the store.
    for text in ["\x00\x01", "\ud800 1023", "🙂" * 100, "<script>alert(1)</script>"]:
        # json.dumps escapes a lone surrogate as \\ud800: valid JSON that no UTF-8 encoder could send raw.
        response = chat.post(None, content=json.dumps({"text": text}).encode(),
                             headers={"Content-Type": "application/json"})
        assert response.status_code == 200, (text, response.text)
    assert chat.post("x" * 500).status_code == 200


def test_requests_are_limited_per_session_and_the_count_is_kept_in_the_database(make_client, database_url):
    http = make_client(chat_rate_limit_per_session=3, chat_rate_limit_per_client=100)
    chat = WebChat(http).open()
    for _ in range(3):
        assert chat.post("1023456781").status_code == 200
    limited = chat.post("1023456781")
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
    assert "too many requests" in limited.json()["detail"]
    # Another worker (a new app on the same database) sees the same count: nothing is kept in memory.
    restarted = make_client(chat_rate_limit_per_session=3, chat_rate_limit_per_client=100)
    assert chat.post("1023456781").status_code == 429
    assert restarted.post(f"/chat/sessions/{chat.session_id}/messages", json={"text": "1"},
                          headers={"Authorization": f"Bearer {chat.token}"}).status_code == 429
    # Another session from the same address is not affected by this one's limit.
    assert WebChat(http).open().post("1023456781").status_code == 200
    # Once the window has passed, the session may talk again.
    with transaction(database_url) as session:
        session.execute(update(RateLimitHit).values(at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=61)))
    assert chat.post("1023456781").status_code == 200


def test_requests_are_limited_per_client_address(make_client, database_url):
    http = make_client(chat_rate_limit_per_session=100, chat_rate_limit_per_client=4)
    chat = WebChat(http).open()  # 1
    chat.send("1023456781")  # 2
    WebChat(http).open()  # 3
    assert chat.post("03/03/1985").status_code == 200  # 4
    assert http.post("/chat/sessions").status_code == 429
    assert chat.post("03/03/1985").status_code == 429
    with transaction(database_url) as session:
        buckets = set(session.scalars(select(RateLimitHit.bucket)))
        assert session.scalar(select(func.count()).select_from(RateLimitHit)) >= 4
    assert not any("testclient" in bucket for bucket in buckets)  # client addresses are stored hashed


def test_a_handed_over_chat_says_it_has_ended(http):
    chat = verify(WebChat(http).open())
    chat.send("2")
    assert chat.handoff["department"] == "cards"
    assert chat.ended
    # The token opens nothing once the chat is with a colleague: a clear 410, nothing runs.
    response = chat.post("hello?")
    assert response.status_code == 410 and response.json() == {"detail": "this chat has ended; start a new chat"}
