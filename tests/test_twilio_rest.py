"""TWILIO_API_BASE_URL: every REST call the service makes goes to that base URL instead of Twilio."""
from __future__ import annotations

import pytest

from bot.engine.io import OutgoingText
from bot.outgoing_texts import TwilioTexts
from bot.settings import Settings
from bot.twilio_rest import ORIGINAL_HOST_HEADER, BaseUrlHttpClient, rest_client
from bot.verification.one_time_codes import TwilioVerify
from tests.fake_messages import FakeMessagesServer
from tests.fake_verify import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, FakeVerifyServer


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # The production client honours proxy variables; the fakes listen on 127.0.0.1.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def settings(**values) -> Settings:
    return Settings(_env_file=None, twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN, **values)


def test_text_messages_go_to_the_configured_base_url():
    with FakeMessagesServer() as fake:
        base = f"http://127.0.0.1:{fake.httpd.server_address[1]}"
        texts = TwilioTexts.from_settings(settings(twilio_sms_from="+442071230000", twilio_api_base_url=base))
        assert texts.send(OutgoingText(to="+447911123456", body="hello"))
    assert [(m["To"], m["Body"]) for m in fake.sent] == [("+447911123456", "hello")]


def test_verify_goes_to_the_configured_base_url():
    with FakeVerifyServer() as fake:
        verify = TwilioVerify.from_settings(settings(twilio_verify_service_sid=SERVICE_SID,
                                                     twilio_api_base_url=fake.base_url + "/"))
        assert verify.send("+447911123456") == "sent"
    assert fake.fake.requests == [("POST", f"/v2/Services/{SERVICE_SID}/Verifications")]


def test_unset_means_twilio_itself():
    client = rest_client(settings(), timeout=5)
    assert not isinstance(client.http_client, BaseUrlHttpClient)
    assert client.http_client.timeout == 5


def test_the_original_host_travels_in_a_header_and_other_hosts_are_refused(monkeypatch):
    seen = {}

    def record(self, method, url, **kwargs):
        seen.update(url=url, headers=kwargs.get("headers"))

    monkeypatch.setattr("twilio.http.http_client.TwilioHttpClient.request", record)
    client = BaseUrlHttpClient("https://mock.example/twilio/", timeout=2)
    client.request("POST", "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?x=1", headers={"A": "b"})
    assert seen["url"] == "https://mock.example/twilio/2010-04-01/Accounts/AC1/Calls.json?x=1"
    assert seen["headers"] == {"A": "b", ORIGINAL_HOST_HEADER: "api.twilio.com"}
    with pytest.raises(ValueError):
        client.request("GET", "https://evil.example/2010-04-01/Accounts")


def test_a_base_url_must_be_http():
    with pytest.raises(ValueError, match="TWILIO_API_BASE_URL must start with http"):
        settings(twilio_api_base_url="ftp://mock")
