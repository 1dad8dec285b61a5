"""The signature dependency, checked with Twilio's published test vectors."""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.settings import Settings
from webhooks.security import TwilioForm

# ../shared/reference/twilio.md: token 12345, this URL and these params.
TOKEN = "12345"
PARAMS = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "From": "+14158675309", "To": "+18005551212",
          "Caller": "+14158675309"}
SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
SIGNATURE_WITH_PORT = "kvajT1Ptam85bY51eRf/AJRuM3w="


def test_published_vectors_hold_for_the_library_we_use():
    validator = RequestValidator(TOKEN)
    assert validator.compute_signature("https://mycompany.com/myapp.php?foo=1&bar=2", PARAMS) == SIGNATURE
    assert validator.compute_signature("https://mycompany.com:443/myapp.php?foo=1&bar=2", PARAMS) == SIGNATURE_WITH_PORT


def client(**settings) -> TestClient:
    app = FastAPI()
    values = {"twilio_auth_token": TOKEN, "public_base_url": "https://mycompany.com", **settings}
    app.state.settings = Settings(_env_file=None, **values)

    @app.post("/myapp.php")
    async def endpoint(form: TwilioForm) -> dict:
        return {"digits": form.get("Digits")}

    # The app itself is reached on an internal address, as behind a proxy or tunnel.
    return TestClient(app, base_url="http://10.0.0.7:8000")


@pytest.mark.parametrize("signature", [SIGNATURE, SIGNATURE_WITH_PORT])
def test_valid_signature_is_accepted_behind_a_proxy(signature):
    response = client().post("/myapp.php?foo=1&bar=2", data=PARAMS, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert response.json() == {"digits": "1234"}


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8"},
                                     {"X-Twilio-Signature": SIGNATURE.lower()}])
def test_missing_or_bad_signature_is_403(headers):
    assert client().post("/myapp.php?foo=1&bar=2", data=PARAMS, headers=headers).status_code == 403


def test_tampered_parameter_is_403():
    tampered = {**PARAMS, "Digits": "9999"}
    response = client().post("/myapp.php?foo=1&bar=2", data=tampered, headers={"X-Twilio-Signature": SIGNATURE})
    assert response.status_code == 403


def test_query_string_is_part_of_what_is_signed():
    response = client().post("/myapp.php?foo=1&bar=3", data=PARAMS, headers={"X-Twilio-Signature": SIGNATURE})
    assert response.status_code == 403


def test_without_a_token_webhooks_are_refused_unless_explicitly_disabled():
    assert client(twilio_auth_token=None).post("/myapp.php?foo=1&bar=2", data=PARAMS,
                                               headers={"X-Twilio-Signature": SIGNATURE}).status_code == 403
    assert client(twilio_auth_token=None, twilio_validate_signature=False).post(
        "/myapp.php?foo=1&bar=2", data=PARAMS).status_code == 200


def test_repeated_parameters_are_all_signed():
    validator = RequestValidator(TOKEN)
    url = "https://mycompany.com/myapp.php"
    pairs = [("Digits", "1"), ("Digits", "2"), ("CallSid", "CA1")]

    class Multi(dict):
        def getlist(self, key):
            return [v for k, v in pairs if k == key]

    signature = validator.compute_signature(url, Multi({k: v for k, v in pairs}))
    ok = client().post("/myapp.php", content="Digits=1&Digits=2&CallSid=CA1",
                       headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    assert ok.status_code == 200
    only_one = client().post("/myapp.php", content="Digits=1&CallSid=CA1",
                             headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    assert only_one.status_code == 403


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"])
def test_other_content_types_are_refused(content_type):
    response = client().post("/myapp.php?foo=1&bar=2", content=b'{"Digits": "1234"}',
                             headers={"X-Twilio-Signature": SIGNATURE, "Content-Type": content_type})
    assert response.status_code == 403


def test_huge_body_is_refused_without_reading_it():
    response = client().post("/myapp.php", content=b"a=" + b"x" * 200_000,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
