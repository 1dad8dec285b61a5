"""The one check every /twilio/* route makes before anything else runs: X-Twilio-Signature.

`signed_form(request)` reads the form and checks the signature; the voice and messaging routes call it
first thing, and `TwilioForm` is the same check as a FastAPI dependency for the other routes. The form
is parsed and the signature computed here rather than through Starlette's streaming form parser and
the twilio package's RequestValidator, with the same results (tests/webhooks/test_security.py holds
both side by side over generated requests): a webhook's own work is a few hundred microseconds, and
those two were most of it.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re
from typing import Annotated
from urllib.parse import unquote_plus, urlparse

from fastapi import Depends, HTTPException, Request
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator, add_port, get_signature_algorithm, remove_port

from bot.settings import Settings

log = logging.getLogger(__name__)

# Twilio's bodies are small (Body is at most 1600 characters); refuse anything far larger unread.
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
URLENCODED = b"application/x-www-form-urlencoded"
_HASHES = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}


async def app_settings(request: Request) -> Settings:
    """The settings the app was built with (read from the app, not through a dependency override:
    FastAPI rebuilds an overridden dependency's signature on every request). Async: FastAPI would hand
    a plain function to the thread pool, a thread hop per request for an attribute read."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


# Characters Starlette's URL escapes in a path, or urlsplit drops or splits at, in a path or a query.
_PATH_ALTERED = re.compile(r"[\t\r\n#?\\]")
_QUERY_ALTERED = re.compile(r"[\t\r\n#]")


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: behind a proxy the request's own host is not it, PUBLIC_BASE_URL is."""
    if settings.public_base_url:
        # Straight from the ASGI scope (building request.url parses the whole URL, a few percent of a
        # webhook's work); anything request.url would change goes through it, so the result is the same.
        path, query = request.scope["path"], request.scope.get("query_string", b"").decode("utf-8", "replace")
        if _PATH_ALTERED.search(path) is not None or _QUERY_ALTERED.search(query) is not None or "\ufffd" in query:
            path, query = request.url.path, request.url.query
        return settings.public_base_url + path + ("?" + query if query else "")
    return str(request.url)


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """An urlencoded body's fields, in order, exactly as Starlette's FormParser reads them (bytes as
    latin-1, then percent-decoding as UTF-8; fields split on "&", empty ones skipped, a field without
    "=" has an empty value). ValueError past MAX_FORM_FIELDS."""
    items = []
    for field in body.decode("latin-1").split("&"):
        if not field:
            continue
        if len(items) == MAX_FORM_FIELDS:
            raise ValueError(f"more than {MAX_FORM_FIELDS} fields")
        name, _, value = field.partition("=")
        # unquote_plus changes nothing without a "%" or a "+": most names and many values have neither.
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        items.append((name, value))
    return items


async def _body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes MAX_FORM_BYTES, whatever Content-Length said."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise HTTPException(413, "request body too large for a Twilio webhook")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_form(request: Request) -> FormData:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
        raise HTTPException(413, "request body too large for a Twilio webhook")
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        # Twilio posts forms; anything else cannot carry a valid signature for these routes.
        raise HTTPException(403, "Twilio webhooks are form-encoded and signed")
    try:
        body = await _body(request)
    except HTTPException:
        raise
    except Exception:  # the client went away mid-body: as a malformed one, a 400
        raise HTTPException(400, "malformed form body") from None
    # As Starlette decides: a type that only starts like a form's ("...-urlencodedx") reads as no fields.
    if parse_options_header(content_type)[0] != URLENCODED:
        return FormData()
    try:
        return FormData(parse_form(body))
    except Exception:  # malformed bodies: a clear 400, never a 500
        raise HTTPException(400, "malformed form body") from None


# Keyed by the URL as requested (query included): a few dozen in use; bounded against made-up ones.
@functools.lru_cache(maxsize=128)
def _signed_urls(url: str) -> tuple[str, str]:
    """The URL as requested first, then the other of without and with its port: Twilio's signatures use
    either (RequestValidator.validate tries without, then with). As requested is the one Twilio signed
    when the webhook's URL names no port, and when it names one: one HMAC, not two, for most requests."""
    parsed = urlparse(url)
    without, with_port = remove_port(parsed), add_port(parsed)
    return (with_port, without) if url == with_port else (without, with_port)


def signature_matches(token: str, url: str, form: FormData, signature: str, algorithm: str | None) -> bool:
    """RequestValidator(token).validate(url, form, signature, algorithm) for a form body: the same
    string signed (the URL, then each name with each of its distinct values, sorted), the parameters
    joined once for both URLs, and the second HMAC only when the first does not match."""
    hash_function = _HASHES.get((algorithm or "HMAC_SHA1").upper())
    if hash_function is None:  # the library logs the unsupported algorithm and refuses it
        return RequestValidator(token).validate(url, form, signature, algorithm)
    values: dict[str, set[str]] = {}
    for name, value in form.multi_items():
        values.setdefault(name, set()).add(value)
    params = "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    try:
        urls = _signed_urls(url)
    except ValueError:  # a port that is not a number: nothing Twilio could have signed
        return False
    expected = signature.encode("utf-8")
    key = token.encode("utf-8")
    for signed_url in urls:
        mac = hmac.new(key, (signed_url + params).encode("utf-8"), hash_function)
        if hmac.compare_digest(base64.b64encode(mac.digest()), expected):
            return True
    return False


async def signed_form(request: Request) -> FormData:
    """The form of a Twilio webhook whose signature holds; 413, 403 or 400 otherwise."""
    settings = request.app.state.settings
    form = await read_form(request)
    if not settings.twilio_validate_signature:
        return form
    if not settings.twilio_auth_token:
        log.error("refusing a Twilio webhook: TWILIO_AUTH_TOKEN is not set (set TWILIO_VALIDATE_SIGNATURE=false only for a local demo)")
        raise HTTPException(403, "signature validation is not configured")
    signature = request.headers.get("x-twilio-signature", "")
    algorithm = get_signature_algorithm(request.headers.get("x-twilio-webhooks-signature-settings"))
    url = public_url(request, settings)
    if not signature or not signature_matches(settings.twilio_auth_token, url, form, signature, algorithm):
        log.warning("rejected a Twilio webhook with a bad or missing signature for %s", request.url.path)
        raise HTTPException(403, "invalid Twilio signature")
    return form


async def twilio_form(request: Request) -> FormData:
    return await signed_form(request)


TwilioForm = Annotated[FormData, Depends(twilio_form)]
