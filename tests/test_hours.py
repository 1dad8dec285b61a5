"""Opening hours, holidays and what happens after hours, with a fixed clock."""
from __future__ import annotations

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

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
    ({"weekly": {"mon": "08:00-08:00"}}, ("weekly", "mon")),
    ({"weekly": {"mon": "25:00-08:00"}}, ("weekly", "mon")),
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
    path.write_text(path.read_text().replace('mon-fri: "09:00-17:00"', 'mon-fri: "17:00-17:00"'))
    from bot.yaml_source import ConfigError
    with pytest.raises(ConfigError) as info:
        load_bundle(flows_with_hours)
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if "17:00-17:00" in l)
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


# Issue 13, finding 10: overnight hours, public holidays from the `holidays` package.

def at_london(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Europe/London"))


def test_overnight_hours_run_past_midnight():
    hours, problems = parse_hours({"weekly": {"sun-thu": "22:00-07:00"}})
    assert problems == []
    assert hours.is_open(at_london(2026, 11, 22, 23, 30))      # Sunday night
    assert hours.is_open(at_london(2026, 11, 23, 6, 59))       # Monday, early: Sunday's night shift
    assert not hours.is_open(at_london(2026, 11, 23, 7, 0))
    assert not hours.is_open(at_london(2026, 11, 27, 23, 0))   # Friday night is not listed
    assert hours.is_open(at_london(2026, 11, 28, 3, 0)) is False and hours.is_open(at_london(2026, 11, 27, 3, 0))


def test_public_holidays_come_from_the_country_calendar_with_substitute_days():
    hours, problems = parse_hours({"weekly": {"mon-fri": "08:00-20:00"},
                                   "holidays": [{"country": "GB", "subdivision": "ENG"}, "2026-12-24"]})
    assert problems == []
    assert not hours.is_open(at_london(2026, 12, 28, 10))      # Boxing Day (observed)
    assert not hours.is_open(at_london(2026, 12, 25, 10))
    assert not hours.is_open(at_london(2026, 12, 24, 10))      # the explicit date
    assert hours.is_open(at_london(2026, 12, 29, 10))
    assert not hours.is_open(at_london(2027, 5, 3, 10))        # any year: May Day 2027


@pytest.mark.parametrize("holidays, message", [
    (["2025-02-30"], "2025-02-30 is not a date"),
    ([{"country": "XX"}], "unknown country 'XX'"),
    ([{"country": "GB", "subdivision": "LDN"}], "GB has no subdivision 'LDN'"),
    (["Christmas"], "expected a date like 2026-12-25"),
])
def test_bad_holidays_are_messages_not_tracebacks(holidays, message):
    hours, problems = parse_hours({"holidays": holidays})
    assert hours is None and message in problems[0][1]


def test_an_impossible_holiday_is_reported_by_every_command(flows_with_hours, cli_env, monkeypatch):
    """Finding 2: `holidays: [2025-02-30]` crashed check, test, publish and serve with a traceback."""
    from typer.testing import CliRunner
    from bot.cli import app as cli

    path = flows_with_hours / "departments.yaml"
    path.write_text(path.read_text().replace("holidays: [2026-12-25, 2026-12-26]", "holidays: [2025-02-30]"))
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if "2025-02-30" in l)
    expected = f"{path}:{line}: 2025-02-30 is not a date (day is out of range for month)"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    for command in (["flows", "check", str(flows_with_hours)], ["flows", "test", str(flows_with_hours / "tests")],
                    ["flows", "publish", str(flows_with_hours)]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 1, result.output
        assert expected in result.output and "Traceback" not in result.output, result.output
    monkeypatch.setenv("FLOWS_DIR", str(flows_with_hours))
    from bot.settings import get_settings
    get_settings.cache_clear()
    served = runner.invoke(cli, ["serve"])
    assert served.exit_code == 1 and expected in served.output and "Traceback" not in served.output


# Issue 13, finding 3: built-in wording is the flow's, translated, and honest about the number.

def spanish_verify(call):
    call.press("9")
    return verify(call)


def test_a_spanish_caller_hears_the_after_hours_callback_in_spanish(closed_phone):
    call = spanish_verify(closed_phone().dial())
    call.press("1")
    assert "Le llamaremos al número desde el que llama" in call.last and 'voice="Polly.Lucia"' in call.responses[-1]
    assert "We're closed" not in call.last


def test_the_goodbye_after_a_voicemail_is_in_the_callers_language_and_voice(closed_phone):
    call = spanish_verify(closed_phone().dial())
    response = call._post(call.base_url + "/twilio/voice/turn?t=5", {"Digits": "2"})
    assert "<Record" in response.text and "Deje un mensaje" in response.text
    saved = call._post(call.base_url + "/twilio/voice/voicemail",
                       {"RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                        "RecordingDuration": "9"})
    assert "Gracias. Adiós." in saved.text and 'voice="Polly.Lucia"' in saved.text and "Goodbye" not in saved.text


def test_a_withheld_caller_id_is_promised_a_call_on_the_number_on_file(customers, flows_with_hours):
    from webhooks.app import create_app
    app = create_app(make_settings(customers, flows_dir=flows_with_hours), clock=lambda: MONDAY_9PM)
    with TestClient(app, base_url=BASE_URL) as http:
        call = verify(TwilioPhone(http, token=TOKEN, base_url=BASE_URL, from_="anonymous").dial())
        call.press("1")
    assert "the phone number we have on file" in call.last and "calling from" not in call.last
    with transaction(customers) as session:
        assert session.scalars(select(CallbackRequest)).one().phone == "+447911123456"  # the phone on file


def test_every_built_in_text_needs_every_declared_language(flows_with_hours):
    from bot.yaml_source import ConfigError
    es = flows_with_hours / "lang" / "es.yaml"
    es.write_text(es.read_text().replace('  voicemail_goodbye: "Gracias. Adiós."\n', ""))
    with pytest.raises(ConfigError) as info:
        load_bundle(flows_with_hours)
    flow = (flows_with_hours / "default.yaml").read_text()
    line = next(i for i, l in enumerate(flow.splitlines(), 1) if l.startswith("languages:"))
    assert [str(p) for p in info.value.problems] == [
        f"{flows_with_hours}/default.yaml:{line}: built-in text 'voicemail_goodbye' has no 'es' wording: "
        f"add texts.voicemail_goodbye to {flows_with_hours}/lang/es.yaml"]
