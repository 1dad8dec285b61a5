"""/healthz, /readyz and /metrics: what operators and load balancers ask the service."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.store.db import get_engine
from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, make_settings, phones
from webhooks import ops
from webhooks.app import create_app

METRICS_TOKEN = "metrics-token-0123456789"
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2"


@pytest.fixture
def ops_app(customers):
    return create_app(make_settings(customers, metrics_token=METRICS_TOKEN))


@pytest.fixture
def client(ops_app):
    with TestClient(ops_app, base_url=BASE_URL) as http:
        yield http


def scrape(http, **headers) -> dict[tuple[str, tuple], float]:
    response = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}", **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def cut_off_the_database(app) -> None:
    app.state.settings = app.state.settings.model_copy(update={"database_url": UNREACHABLE})
    app.state.conversations.database_url = UNREACHABLE


def test_healthz_answers_without_the_database(ops_app, client):
    assert client.get("/healthz").json() == {"status": "ok"}
    cut_off_the_database(ops_app)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_names_the_live_flow_version(client, database_url):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and len(body["flow_version"]) == 12


def test_readyz_is_503_when_the_database_is_unreachable(ops_app, client):
    cut_off_the_database(ops_app)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "the database is unreachable"}
    assert "nobody" not in response.text  # no connection details in the answer


def test_readyz_is_503_when_no_flow_version_is_published(client, database_url):
    with get_engine(database_url).begin() as connection:
        connection.execute(text("DELETE FROM flow_publications"))
    response = client.get("/readyz")
    assert response.status_code == 503 and "bot flows publish" in response.json()["reason"]


def test_readyz_is_503_when_the_database_hangs(client, monkeypatch):
    monkeypatch.setattr(ops, "READY_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(ops, "_ready", lambda request: time.sleep(1.0))
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == 503 and "in time" in response.json()["reason"]
    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": f"Basic {METRICS_TOKEN}"}, {"Authorization": "Bearer "}])
def test_metrics_refuse_without_the_token(client, headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert "frontdoor_" not in response.text


def test_metrics_answer_no_one_when_neither_token_nor_addresses_are_set(customers):
    with TestClient(create_app(make_settings(customers)), base_url=BASE_URL, client=("127.0.0.1", 5000)) as http:
        assert http.get("/metrics").status_code == 403
        assert http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 403


def test_metrics_answer_allowed_addresses_without_a_token(customers):
    app = create_app(make_settings(customers, metrics_allow_ips="10.0.0.0/8, 192.0.2.7"))
    for address, status in (("10.1.2.3", 200), ("192.0.2.7", 200), ("192.0.2.8", 403), ("testclient", 403)):
        with TestClient(app, base_url=BASE_URL, client=(address, 5000)) as http:
            assert http.get("/metrics").status_code == status, address


def test_metrics_count_turns_handoffs_verifications_and_dead_letters(client):
    before = scrape(client)
    call = phones(client)()
    call.dial().press("1023456781#").press("03031985").say("SW1A 1AA").press("1")
    assert call.handoff is not None
    wrong = phones(client)().dial().press("2076543213#").press("01011970")
    wrong.say("90210")
    chat = WebChat(client).open()
    for line in ("1023456781", "03/03/1985", "SW1A 1AA", "2"):
        chat.send(line)
    assert chat.ended
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    voice_turns = len(call.responses) + len(wrong.responses)
    assert delta("frontdoor_turns_total", channel="voice") == voice_turns
    assert delta("frontdoor_turns_total", channel="web") == 5
    assert delta("frontdoor_turn_seconds_count", channel="voice") == voice_turns
    assert delta("frontdoor_turn_seconds_bucket", channel="voice", le="+Inf") == voice_turns
    assert delta("frontdoor_turn_seconds_sum", channel="voice") > 0
    assert delta("frontdoor_handoffs_total", department="billing", channel="voice") == 1
    assert delta("frontdoor_handoffs_total", department="cards", channel="web") == 1
    assert delta("frontdoor_conversations_total", channel="voice", outcome="handoff") == 1
    assert delta("frontdoor_conversations_total", channel="web", outcome="handoff") == 1
    assert delta("frontdoor_verifications_total", outcome="verified") == 2
    assert delta("frontdoor_verifications_total", outcome="failed") == 1
    # No desk is configured: the web handoff is kept as a dead letter, counted from the database.
    assert value(after, "frontdoor_desk_dead_letters") == 1


def test_a_replayed_turn_is_not_counted_again(client):
    call = phones(client)().dial()
    before = scrape(client)
    call.dial()  # Twilio retrying the start of the same call: the stored reply, no new turn
    assert value(scrape(client), "frontdoor_turns_total", channel="voice") == \
        value(before, "frontdoor_turns_total", channel="voice")


def test_a_failed_turn_is_counted_as_an_error(ops_app, client):
    before = scrape(client)
    ops_app.state.conversations.database_url = UNREACHABLE
    call = phones(client)().dial()
    assert call.handoff is not None and call.handoff.queue == "general"  # the apology reaches a person
    ops_app.state.conversations.database_url = ops_app.state.settings.database_url
    after = scrape(client)
    assert value(after, "frontdoor_turn_errors_total", channel="voice") - \
        value(before, "frontdoor_turn_errors_total", channel="voice") == 1
