"""The one dependency every /twilio/* route uses: check X-Twilio-Signature before anything else runs."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator, get_signature_algorithm

from bot.settings import Settings

log = logging.getLogger(__name__)

# Twilio's bodies are small (Body is at most 1600 characters); refuse anything far larger unread.
MAX_FORM_BYTES = 64 * 1024

def app_settings(request: Request) -> Settings:
    """The settings the app was built with (read from the app, not through a dependency override:
    FastAPI rebuilds an overridden dependency's signature on every request)."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: behind a proxy the request's own host is not it, PUBLIC_BASE_URL is."""
    if settings.public_base_url:
        url = settings.public_base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        return url
    return str(request.url)


async def read_form(request: Request) -> FormData:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
        raise HTTPException(413, "request body too large for a Twilio webhook")
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        # Twilio posts forms; anything else cannot carry a valid signature for these routes.
        raise HTTPException(403, "Twilio webhooks are form-encoded and signed")
    try:
        return await request.form(max_files=0, max_fields=200)
    except Exception:  # malformed bodies: a clear 400, never a 500
        raise HTTPException(400, "malformed form body") from None


async def twilio_form(request: Request, settings: SettingsDep) -> FormData:
    form = await read_form(request)
    if not settings.twilio_validate_signature:
        return form
    if not settings.twilio_auth_token:
        log.error("refusing a Twilio webhook: TWILIO_AUTH_TOKEN is not set (set TWILIO_VALIDATE_SIGNATURE=false only for a local demo)")
        raise HTTPException(403, "signature validation is not configured")
    signature = request.headers.get("x-twilio-signature", "")
    algorithm = get_signature_algorithm(request.headers.get("x-twilio-webhooks-signature-settings"))
    url = public_url(request, settings)
    if not signature or not RequestValidator(settings.twilio_auth_token).validate(url, form, signature, algorithm):
        log.warning("rejected a Twilio webhook with a bad or missing signature for %s", request.url.path)
        raise HTTPException(403, "invalid Twilio signature")
    return form


TwilioForm = Annotated[FormData, Depends(twilio_form)]
