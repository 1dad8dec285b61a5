"""Opening hours, holidays and what happens after hours, with a fixed clock."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.engine.bundle import load_bundle
from bot.hours import parse_hours
from bot.store.db import transaction
from bot.store.models import CallbackRequest, Voicemail
from tests.conftest import BASE_URL, FLOWS, TOKEN, make_settings
from tests.engine.test_runner import Conversation
from tests.twilio_phone import TwilioPhone

LONDON = dt.timezone.utc  # November: London is on UTC
MONDAY_10AM = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
MONDAY_9PM = dt.datetime(2026, 11, 23, 21, 0, tzinfo=LONDON)
CHRISTMAS_10AM = dt.datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)
SUNDAY_NOON = dt.datetime(2026, 11, 29, 12, 0, tzinfo=LONDON)

HOURS = """timezone: Europe/London
holidays: [2026-12-25, 2026-12-26]
"""
DEPARTMENT_HOURS = {
    "billing": ("    hours: {weekly: {mon-fri: \"08:00-20:00\", sat: \"09:00-13:00\"}}\n"
                "    after_hours: {action: callback}\n"),
    "cards": ("    hours: {weekly: {mon-fri: \"08:00-20:00\"}}\n"
              "    after_hours: {action: voicemail}\n"),
    "loans": ("    hours: {weekly: {mon-fri: \"09:00-17:00\"}}\n"
              "    after_hours: {action: sms, link: \"https://northwind.example/help\"}\n"),
}


@pytest.fixture
def flows_with_hours(tmp_path):
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    text = (target / "departments.yaml").read_text()
    text = text.replace("general: general", HOURS + "general: general", 1)
    for name, hours in DEPARTMENT_HOURS.items():
        marker = f"    target: {{queue: {name}}}\n"
        assert marker in text
        text = text.replace(marker, marker + hours)
    (target / "departments.yaml").write_text(text)
    return target


def test_weekly_hours_and_holidays():
    hours, problems = parse_hours({"timezone": "Europe/London", "weekly": {"mon-fri": "08:00-20:00"},
                                   "holidays": [dt.date(2026, 12, 25)]})
    assert problems == []
    assert hours.is_open(MONDAY_10AM)
    assert not hours.is_open(MONDAY_9PM)
    assert not hours.is_open(SUNDAY_NOON)
    assert not hours.is_open(CHRISTMAS_10AM)
    summer = dt.datetime(2026, 7, 6, 7, 30, tzinfo=dt.timezone.utc)  # 08:30 in London (BST)
    assert hours.is_open(summer)


@pytest.mark.parametrize("spec, where", [
    ({"weekly": {"mon-fry": "08:00-20:00"}}, ("weekly", "mon-fry")),
    ({"weekly": {"mon": "20:00-08:00"}}, ("weekly", "mon")),
    ({"weekly": {"mon": "8am-5pm"}}, ("weekly", "mon")),
    ({"timezone": "Mars/Olympus"}, ("timezone",)),
    ({"holidays": ["Christmas"]}, ("holidays", 0)),
    ({"opening": {}}, ("opening",)),
])
def test_bad_hours_are_reported_with_their_place(spec, where):
    hours, problems = parse_hours(spec)
    assert hours is None and problems[0][0] == where


def test_a_bad_hours_entry_is_reported_with_file_and_line(flows_with_hours):
    path = flows_with_hours / "departments.yaml"
    path.write_text(path.read_text().replace('mon-fri: "09:00-17:00"', 'mon-fri: "17:00-09:00"'))
    from bot.engine.source import ConfigError
    with pytest.raises(ConfigError) as info:
        load_bundle(flows_with_hours)
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if "17:00-09:00" in l)
    assert any(f"departments.yaml:{line}:" in str(p) for p in info.value.problems), info.value.problems


def verified_to(bundle, key, now, channel="voice"):
    from tests.engine.fakes import memory_services
    convo = Conversation(bundle, memory_services(now), channel=channel)
    convo.state.caller = "+447911123456"
    kind = "digits" if channel == "voice" else "text"
    convo.send(kind, "1023456781#" if channel == "voice" else "1023456781")
    convo.send(kind, "03031985")
    convo.send("speech" if channel == "voice" else "text", "SW1A 1AA")
    return convo, convo.send(kind, key)


def test_open_closed_and_holiday_routing(flows_with_hours):
    bundle = load_bundle(flows_with_hours)
    _, open_reply = verified_to(bundle, "1", MONDAY_10AM)
    assert open_reply.handoff is not None and open_reply.handoff.department == "billing"
    for closed_at in (MONDAY_9PM, CHRISTMAS_10AM, SUNDAY_NOON):
        convo, reply = verified_to(bundle, "1", closed_at)
        assert reply.handoff is None and reply.end
        assert "call you back" in reply.text
        assert ("after-hours", "callback") in [(e.outcome, e.detail) for e in convo.events]


def test_sms_after_hours_sends_the_link_to_the_caller(flows_with_hours):
    bundle = load_bundle(flows_with_hours)
    _, reply = verified_to(bundle, "3", MONDAY_9PM)
    assert reply.text_message is not None
    assert reply.text_message.to == "+447911123456"
    assert "https://northwind.example/help" in reply.text_message.body
    _, chat = verified_to(bundle, "3", MONDAY_9PM, channel="web")
    assert chat.text_message is None and "https://northwind.example/help" in chat.text


@pytest.fixture
def closed_phone(customers, flows_with_hours):
    from webhooks.app import create_app
    app = create_app(make_settings(customers, flows_dir=flows_with_hours), clock=lambda: MONDAY_9PM)
    with TestClient(app, base_url=BASE_URL) as http:
        yield lambda: TwilioPhone(http, token=TOKEN, base_url=BASE_URL)


def verify(call):
    call.press("1023456781#")
    call.press("03031985")
    call.say("SW1A 1AA")
    return call


def test_callback_request_is_stored_for_agents(closed_phone, customers):
    call = verify(closed_phone().dial())
    call.press("1")
    assert "call you back" in call.last and call.hung_up and call.handoff is None
    with transaction(customers) as session:
        requests = session.scalars(select(CallbackRequest)).all()
    assert [(r.department, r.phone, r.status) for r in requests] == [("billing", "+447700900123", "new")]  # the caller ID; new in the work queue
    assert requests[0].context["verified"] is True


def test_voicemail_after_hours(closed_phone, customers):
    call = verify(closed_phone().dial())
    response = call._post(call.base_url + "/twilio/voice/turn?t=4", {"Digits": "2"})
    assert "<Record" in response.text and 'action="/twilio/voice/voicemail"' in response.text
    saved = call._post(call.base_url + "/twilio/voice/voicemail",
                       {"RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                        "RecordingDuration": "17"})
    assert saved.status_code == 200 and "<Hangup" in saved.text
    with transaction(customers) as session:
        voicemail = session.scalars(select(Voicemail)).one()
    assert voicemail.department == "cards" and voicemail.duration_seconds == 17
    assert voicemail.context["customer_number"] == "1023456781"


@pytest.mark.parametrize("twilio_down", [False, True])
def test_after_hours_text_is_sent_through_the_twilio_client(customers, flows_with_hours, twilio_down):
    from bot.outgoing_texts import TwilioTexts
    from tests.fake_messages import FakeMessagesServer
    from webhooks.app import create_app

    settings = make_settings(customers, flows_dir=flows_with_hours, twilio_account_sid="AC" + "1" * 32,
                             twilio_sms_from="+442071230000")
    with FakeMessagesServer() as fake:
        if twilio_down:
            fake.go_down()
        texts = TwilioTexts.from_settings(settings.model_copy(update={"twilio_auth_token": "verify-test-token-0123456789"}),
                                          http_client=fake.http_client())
        app = create_app(settings, clock=lambda: MONDAY_9PM, texts=texts)
        with TestClient(app, base_url=BASE_URL) as http:
            call = verify(TwilioPhone(http, token=TOKEN, base_url=BASE_URL).dial())
            call.press("3")
            assert "sent you a text message" in call.last and call.hung_up
        if twilio_down:
            assert fake.sent == []  # Twilio down: the caller still heard the message; nothing crashed
        else:
            assert fake.sent == [{"To": "+447700900123", "From": "+442071230000",
                                  "Body": "Northwind: we're closed right now. You can get help here: https://northwind.example/help"}]
