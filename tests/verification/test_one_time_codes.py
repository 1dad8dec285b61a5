"""The real `twilio` client against the local fake Verify server: what TwilioVerify makes of each answer."""
from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.verification.one_time_codes import TwilioVerify
from tests.fake_verify import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, FakeVerifyServer

PHONE = "+447911123456"


@pytest.fixture
def server():
    with FakeVerifyServer() as running:
        yield running


@pytest.fixture
def verify(server):
    settings = Settings(_env_file=None, twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
                        twilio_verify_service_sid=SERVICE_SID)
    return TwilioVerify.from_settings(settings, http_client=server.http_client())


def test_a_code_is_sent_by_sms_and_the_right_one_is_approved_once(server, verify):
    assert verify.send(PHONE) == "sent"
    code = server.fake.last_code(PHONE)
    assert len(code) == 6 and code.isdigit()
    assert server.fake.verifications[-1].channel == "sms"
    assert verify.check(PHONE, code) == "approved"
    # Used: there is no live verification to check any more.
    assert verify.check(PHONE, code) == "expired"


def test_a_wrong_code_is_wrong_and_five_checks_are_the_limit(server, verify):
    verify.send(PHONE)
    code = server.fake.last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    assert [verify.check(PHONE, wrong) for _ in range(5)] == ["wrong"] * 5
    assert verify.check(PHONE, code) == "too-many"  # the sixth check, even with the right code
    assert verify.check(PHONE, code) == "expired"  # then 404: the verification is gone


def test_a_code_expires_after_ten_minutes(server, verify):
    verify.send(PHONE)
    code = server.fake.last_code(PHONE)
    server.fake.advance(minutes=9, seconds=59)
    assert verify.check(PHONE, "999999" if code != "999999" else "888888") == "wrong"
    server.fake.advance(seconds=1)
    assert verify.check(PHONE, code) == "expired"
    assert server.fake.verifications[-1].status == "expired"


def test_five_sends_per_verification(server, verify):
    assert [verify.send(PHONE) for _ in range(6)] == ["sent"] * 5 + ["too-many"]
    assert len({code for _, code in server.fake.outbox}) == 1  # a resend repeats the same code


def test_an_outage_or_bad_credentials_is_unavailable_never_an_exception(server, verify):
    server.fake.fail_with = 503
    assert verify.send(PHONE) == "unavailable"
    assert verify.check(PHONE, "123456") == "unavailable"
    server.fake.fail_with = None
    verify.client.password = "wrong-token"
    verify.client.auth = (ACCOUNT_SID, "wrong-token")
    assert verify.send(PHONE) == "unavailable"
    assert server.fake.outbox == []


def test_unreachable_service_is_unavailable(server):
    from tests.fake_verify import RedirectingHttpClient

    settings = Settings(_env_file=None, twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
                        twilio_verify_service_sid=SERVICE_SID)
    closed = TwilioVerify.from_settings(settings, http_client=RedirectingHttpClient("http://127.0.0.1:9"))
    assert closed.send(PHONE) == "unavailable"


def test_not_configured_means_no_client():
    assert TwilioVerify.from_settings(Settings(_env_file=None)) is None


@pytest.mark.parametrize("values, message", [
    ({"twilio_verify_service_sid": SERVICE_SID}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
    ({"twilio_verify_service_sid": "not-a-sid", "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN},
     "VA followed by 32"),
])
def test_half_configured_verify_fails_at_start(values, message):
    with pytest.raises(ValueError, match=message):
        Settings(_env_file=None, **values)
