"""Handoffs that don't drop the caller: <Dial> and <Enqueue> report how they ended; a busy, unanswered
or failed line, or a wait past the department's maximum, leads to what the department configures
(callback, voicemail, another department); the queue says the caller's place and the expected wait;
every outcome is recorded for reports. Driven as Twilio drives it, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.reporting.handoffs import handoff_outcomes
from bot.reporting.period import Period
from bot.store.db import transaction
from bot.store.models import CallbackRequest, HandoffOutcome
from tests.conftest import BASE_URL, FLOWS, TOKEN, make_settings
from tests.twilio_phone import TwilioPhone

CALLER = "+447700900123"
HOLD_AUDIO = "https://media.example.com/hold.mp3"


@pytest.fixture
def flows(tmp_path):
    """The shipped flows, with billing's queue and the menu's key 3 set up for these tests."""
    copy = tmp_path / "flows"
    shutil.copytree(FLOWS, copy)
    departments = (copy / "departments.yaml").read_text()
    departments = departments.replace("""    target: {queue: billing}
""", f"""    target: {{queue: billing}}
    max_wait: 120
    hold_audio: {HOLD_AUDIO}
    unanswered: [callback, voicemail, general]
""", 1)
    (copy / "departments.yaml").write_text(departments)
    flow = (copy / "default.yaml").read_text()
    (copy / "default.yaml").write_text(flow.replace("department: loans\n", "department: collections\n", 1))
    return copy


@pytest.fixture
def caller(customers, flows):
    from webhooks.app import create_app

    app = create_app(make_settings(customers, flows_dir=flows))
    with TestClient(app, base_url=BASE_URL) as http:
        yield lambda: TwilioPhone(http, token=TOKEN, base_url=BASE_URL, from_=CALLER)


def to_department(call: TwilioPhone, key: str) -> TwilioPhone:
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    call.press(key)
    return call


def outcomes(url) -> list[tuple]:
    with transaction(url) as session:
        return [(o.department, o.target, o.result, o.twilio_status, o.wait_seconds, o.talk_seconds)
                for o in session.scalars(select(HandoffOutcome).order_by(HandoffOutcome.id))]


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled"])
def test_a_dial_no_one_takes_leads_to_the_departments_alternative(caller, database_url, status):
    call = to_department(caller().dial(), "3")  # collections: a number, unanswered: [voicemail]
    assert call.handoff.verb == "Dial" and call.handoff.ring_seconds == 25 and call.handoff.action
    call.dial_ends(status)
    assert "Sorry, no one is free to take your call just now." in call.last
    assert "Please leave a message after the tone" in call.last
    assert ET_tags(call) == ["Say", "Record", "Hangup"]
    (row,) = outcomes(database_url)
    assert row[:4] == ("collections", "number", status, status) and row[4] < 5 and row[5] is None  # rang, unanswered


def test_an_answered_dial_ends_the_call_and_records_the_talk(caller, database_url):
    call = to_department(caller().dial(), "3")
    call.dial_ends("completed", duration=95)
    assert call.hung_up and ET_tags(call) == ["Hangup"]
    (row,) = outcomes(database_url)
    assert row[2:4] == ("answered", "completed") and row[5] == 95 and row[4] == 0  # the call lasted less than its talk


def test_a_sip_line_that_does_not_answer_hands_the_caller_to_the_general_team(caller, database_url):
    call = to_department(caller().dial(), "4")  # fraud: unanswered: [general, callback]
    assert call.handoff.sip and call.handoff.ring_seconds == 20
    call.dial_ends("no-answer")
    assert "To speak to Customer services instead, press 1" in call.last and "To be called back" in call.last
    call.press("1")
    assert "I'll put you through to Customer services." in call.last
    assert call.handoff.queue == "general" and call.task["reason"] == "unanswered" and call.task["verified"] is True
    assert [o[:3] for o in outcomes(database_url)] == [("fraud", "sip", "no-answer"), ("general", "queue", "pending")]


def test_the_queue_says_the_place_and_expected_wait_then_plays_the_hold_audio(caller):
    call = to_department(caller().dial(), "1")
    assert call.handoff.verb == "Enqueue" and call.handoff.wait_url == "/twilio/voice/hold" and call.handoff.action
    waiting = call.hold(position=3, waited=10, average=240)
    assert [v.tag for v in waiting] == ["Say", "Play"]
    said = " ".join(waiting.find("Say").itertext())
    assert said == "You're number 3 in the queue. The expected wait is about 4 minutes."
    assert waiting.find("Play").text == HOLD_AUDIO
    nearly = call.hold(position=1, waited=50, average=30)
    assert " ".join(nearly.find("Say").itertext()) == "You're next in the queue. The expected wait is about a minute."


def test_without_hold_audio_the_wait_is_silence_until_the_maximum(phone):
    call = to_department(phone().dial(), "2")  # cards: no hold audio, max_wait 300
    waiting = call.hold(position=2, waited=290, average=100)
    assert [v.tag for v in waiting] == ["Say", "Pause"] and waiting.find("Pause").get("length") == "10"


def test_a_spanish_caller_hears_the_queue_in_spanish(caller):
    call = caller().dial()
    call.press("9", early=True)
    to_department(call, "1")
    said = " ".join(call.hold(position=2, waited=5, average=200).find("Say").itertext())
    assert said == "Es usted el número 2 en la cola. El tiempo de espera estimado es de unos 3 minutos."


def test_a_wait_past_the_maximum_leaves_the_queue_and_offers_the_choice(caller, database_url):
    call = to_department(caller().dial(), "1")
    assert [v.tag for v in call.hold(position=4, waited=120)] == ["Leave"]
    call.leave_queue("leave", waited=121)
    assert call.last == ("Sorry, no one is free to take your call just now. To be called back as soon as someone is "
                         "free, press 1. To leave a message, press 2. To speak to Customer services instead, press 3.")
    assert call.gather.get("numDigits") == "1"
    call.press("1")
    assert "We'll call you back on the number you're calling from" in call.last and call.hung_up
    with transaction(database_url) as session:
        booked = session.scalars(select(CallbackRequest)).all()
    assert [(b.department, b.phone) for b in booked] == [("billing", CALLER)]
    assert booked[0].context["customer_number"] == "1023456781" and booked[0].context["reason"] == "unanswered"
    assert outcomes(database_url) == [("billing", "queue", "left", "leave", 121, None)]


def test_voicemail_from_the_choice_records_a_message(caller):
    call = to_department(caller().dial(), "1")
    call.leave_queue("leave", waited=130)
    call.say("I'd like to leave a message")
    assert "Please leave a message after the tone" in call.last and ET_tags(call) == ["Say", "Record", "Hangup"]


def test_an_unclear_choice_twice_takes_the_first_alternative_rather_than_leave_the_caller(caller, database_url):
    call = to_department(caller().dial(), "1")
    call.leave_queue("leave", waited=125)
    call.silence()
    assert "press 1" in call.last and not call.hung_up
    call.press("7")
    assert "We'll call you back" in call.last and call.hung_up


def test_another_team_that_does_not_answer_either_is_not_offered_again(caller, database_url):
    call = to_department(caller().dial(), "1")
    call.leave_queue("leave", waited=125)
    call.press("3")
    assert call.handoff.queue == "general"
    call.leave_queue("leave", waited=600)  # general's own alternatives: callback and voicemail
    assert "Customer services" not in call.last and "press 2" in call.last
    assert [o[2] for o in outcomes(database_url)] == ["left", "left"]


@pytest.mark.parametrize("result, recorded", [("hangup", "abandoned"), ("bridged", "answered"),
                                              ("system-error", "failed")])
def test_how_a_queue_ended_is_recorded(caller, database_url, result, recorded):
    call = to_department(caller().dial(), "1")
    call.leave_queue(result, waited=40)
    assert outcomes(database_url) == [("billing", "queue", recorded, result, 40, None)]
    if recorded == "failed":
        assert "press 1" in call.last  # an error in the queue is no reason to drop the caller
    else:
        assert call.hung_up


def test_a_callback_seen_twice_is_answered_the_same_and_counted_once(caller, database_url):
    call = to_department(caller().dial(), "1")
    action = call.handoff.action
    call.leave_queue("leave", waited=121)
    first = call.responses[-1]
    again = call._post(call._url(action), {"QueueResult": "leave", "QueueTime": "121"})
    assert again.text == first
    assert len(outcomes(database_url)) == 1


def test_reports_count_each_departments_handoffs(caller, database_url):
    for result, waited in (("bridged", 30), ("hangup", 90), ("leave", 121)):
        call = to_department(caller().dial(), "1")
        call.leave_queue(result, waited=waited)
    call = to_department(caller().dial(), "3")
    call.dial_ends("busy")
    now = dt.datetime.now(dt.timezone.utc)
    with transaction(database_url) as session:
        report = {r.department: r for r in handoff_outcomes(session, Period(now - dt.timedelta(hours=1),
                                                                            now + dt.timedelta(hours=1)))}
    billing = report["billing"]
    assert (billing.handed_over, billing.answered, billing.abandoned, billing.left, billing.pending) == (3, 1, 1, 1, 0)
    assert billing.average_wait_seconds == pytest.approx(241 / 3) and billing.longest_wait_seconds == 121
    assert billing.answered_share == pytest.approx(1 / 3)
    assert (report["collections"].handed_over, report["collections"].not_taken) == (1, 1)


def ET_tags(call: TwilioPhone) -> list[str]:
    import xml.etree.ElementTree as ET

    return [verb.tag for verb in ET.fromstring(call.responses[-1])]
