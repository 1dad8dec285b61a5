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


# -- the form and the signature, read by hand: the same answers as Starlette's parser and the library's --
import asyncio  # noqa: E402

from fastapi import Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402
from starlette.datastructures import FormData, Headers  # noqa: E402
from starlette.formparsers import FormParser  # noqa: E402

from webhooks.security import MAX_FORM_FIELDS, parse_form, signature_matches  # noqa: E402
from webhooks.voice import query_int  # noqa: E402

form_bytes = st.one_of(st.binary(max_size=80), st.lists(st.sampled_from(
    [b"a", b"b", b"=", b"&", b"&&", b"+", b"%", b"%2", b"%41", b"%zz", b"%C3%A9", b"%FF", b"\xc3\xa9", b"\xff", b";", b" ",
     b"Digits", b"CallSid", b"1#"]), max_size=30).map(b"".join))


def starlette_form(body: bytes, cuts: list[int]) -> list[tuple[str, str]]:
    async def stream():
        edges = [0, *sorted(c % (len(body) + 1) for c in cuts), len(body)]
        for start, end in zip(edges, edges[1:]):
            yield body[start:end]

    async def parse():
        return await FormParser(Headers({}), stream(), max_fields=MAX_FORM_FIELDS).parse()
    return list(asyncio.run(parse()).multi_items())


@hypothesis_settings(max_examples=500, deadline=None)
@given(body=form_bytes, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=3))
def test_the_form_reads_as_starlette_reads_it(body, cuts):
    assert parse_form(body) == starlette_form(body, cuts)


def test_a_form_past_the_field_limit_is_refused_as_starlette_refuses_it():
    assert len(parse_form(b"&".join(b"a=%d" % n for n in range(MAX_FORM_FIELDS)))) == MAX_FORM_FIELDS
    with pytest.raises(ValueError):
        parse_form(b"&".join(b"a=%d" % n for n in range(MAX_FORM_FIELDS + 1)))
    with pytest.raises(Exception):
        starlette_form(b"&".join(b"a=%d" % n for n in range(MAX_FORM_FIELDS + 1)), [])


names = st.one_of(st.sampled_from(["CallSid", "Digits", "From", "To", "SpeechResult", "Body", "", "a", "A", "é"]),
                  st.text(max_size=8))
values = st.one_of(st.sampled_from(["", "1234", "+14158675309", "1", "2", "é", "a b", "&=%"]), st.text(max_size=12))
urls = st.sampled_from(["https://mycompany.com/myapp.php?foo=1&bar=2", "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                        "http://10.0.0.7:8000/twilio/voice/turn?t=3&e=silence", "http://example.com/twilio/voice",
                        "https://front.example.org:8443/twilio/messaging", "https://x.example/a?bodySHA256=abc",
                        "https://x.example/twilio/voice/turn?t=1&o=offer", "https://Mixed.Example.COM/p?",
                        "http://[::1]:8000/twilio/voice", "https://user@host.example/p#frag"])
algorithms = st.sampled_from([None, "HMAC_SHA1", "hmac_sha1", "HMAC_SHA256", "HMAC_SHA512", ""])


@hypothesis_settings(max_examples=800, deadline=None)
@given(url=urls, pairs=st.lists(st.tuples(names, values), max_size=8), algorithm=algorithms,
       token=st.sampled_from(["12345", "bench-auth-token-0123456789abcdef", "é"]),
       how=st.sampled_from(["without port", "with port", "other url", "other token", "tampered", "garbage", "empty"]))
def test_the_signature_check_accepts_and_refuses_what_the_twilio_library_does(url, pairs, algorithm, token, how):
    validator = RequestValidator(token)
    form = FormData(pairs)
    try:
        if how == "other url":
            signature = validator.compute_signature(url + "x", form, algorithm)
        elif how == "other token":
            signature = RequestValidator(token + "x").compute_signature(url, form, algorithm)
        elif how == "tampered":
            signature = validator.compute_signature(url, FormData(pairs + [("Digits", "9")]), algorithm)
        elif how in ("without port", "with port"):
            from twilio.request_validator import add_port, remove_port
            from urllib.parse import urlparse
            signed = (remove_port if how == "without port" else add_port)(urlparse(url))
            signature = validator.compute_signature(signed, form, algorithm)
        else:
            signature = "" if how == "empty" else "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    except ValueError:  # an algorithm the library cannot sign with: the request must still be refused
        signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert signature_matches(token, url, form, signature, algorithm) == validator.validate(url, form, signature, algorithm)


def test_published_vectors_pass_the_check_with_and_without_the_port():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature_matches(TOKEN, url, FormData(PARAMS), SIGNATURE, None)
    assert signature_matches(TOKEN, url, FormData(PARAMS), SIGNATURE_WITH_PORT, None)
    assert not signature_matches(TOKEN, url, FormData({**PARAMS, "Digits": "1235"}), SIGNATURE, None)


def query_app() -> TestClient:
    """FastAPI's own reading of `t: int = 0` beside query_int's, behind the 422 handler webhooks/app.py has."""
    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request, exc):
        return JSONResponse({"detail": [{"loc": e.get("loc"), "msg": e.get("msg")} for e in exc.errors()]},
                            status_code=422)

    @app.post("/fastapi")
    async def by_fastapi(t: int = 0) -> dict:
        return {"t": str(t)}

    async def by_hand(request: Request) -> JSONResponse:
        return JSONResponse({"t": str(query_int(request, "t"))})

    app.add_route("/by-hand", by_hand, methods=["POST"])
    return TestClient(app)


QUERY = query_app()


@hypothesis_settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.integers().map(str), st.text(max_size=6),
                                 st.sampled_from(["", "+5", " 7 ", "5.0", "5.5", "1_000", "0x10", "1e3", "٥", "-0"])),
                       max_size=3))
def test_the_turn_number_is_read_as_fastapi_reads_it(values):
    from urllib.parse import urlencode
    query = urlencode([("t", v) for v in values])
    expected, got = QUERY.post("/fastapi?" + query), QUERY.post("/by-hand?" + query)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json())


def test_a_huge_body_without_a_length_is_refused_once_it_passes_the_limit():
    response = client().post("/myapp.php", content=iter([b"a=" + b"x" * 40_000, b"x" * 40_000]),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_a_content_type_that_only_starts_like_a_form_reads_as_no_fields_as_starlette_reads_it():
    url = "https://mycompany.com/myapp.php"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    response = client().post("/myapp.php", content=b"Digits=1234",
                             headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencodedx"})
    assert response.status_code == 200 and response.json() == {"digits": None}


def test_a_url_whose_port_is_not_a_number_is_refused_not_an_error():
    # (the library raises ValueError here; a request that cannot have been signed is simply refused)
    assert signature_matches(TOKEN, "https://mycompany.com:abc/myapp.php", FormData(PARAMS), SIGNATURE, None) is False


def _old_public_url(request, base: str) -> str:
    # What public_url answered before it read the scope itself: request.url's path and query.
    url = base + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


@hypothesis_settings(max_examples=500, deadline=None)
@given(path=st.one_of(st.sampled_from(["/twilio/voice", "/twilio/voice/turn", "/a?b", "/a#b", "/a\\b", "/é",
                                       "/a\tb", "/a\nb", "/ x", "//double"]),
                      st.text(max_size=12).map(lambda text: "/" + text)),
       query=st.one_of(st.sampled_from(["", "t=1", "t=1&e=silence", "a#b", "a\tb", "%41", "é=1"]),
                       st.text(max_size=12)),
       base=st.sampled_from(["https://front.example.com", "http://127.0.0.1:8000", "https://x.example/prefix"]))
def test_the_signed_url_is_the_one_request_url_gives(path, query, base):
    from starlette.requests import Request

    from webhooks.security import public_url

    scope = {"type": "http", "method": "POST", "scheme": "https", "path": path, "root_path": "",
             "query_string": query.encode("utf-8", "surrogatepass"),
             "headers": [(b"host", b"front.example.com")], "server": ("front.example.com", 443)}
    settings = Settings(_env_file=None, public_base_url=base)
    assert public_url(Request(scope), settings) == _old_public_url(Request(scope), settings.public_base_url)
