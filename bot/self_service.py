"""Self-service look-ups (the `lookup` step's SelfService, bot/engine/context.py): the verified context
is POSTed as JSON to SELF_SERVICE_URL, signed exactly as agent-desk handoffs are (bot.chat.desk.sign:
HMAC-SHA256 over "<timestamp>.<body>" with SELF_SERVICE_SECRET, in X-FrontDoor-Signature), and the
JSON object it answers with fills the step's templated answer.

A caller is waiting: the request gives up after SELF_SERVICE_TIMEOUT_SECONDS (default 3, at most 8,
well inside Twilio's 15 s for the whole reply). A timeout, a refused connection, a non-2xx answer, a
redirect or a body that is not a JSON object is a failure the step falls back from; nothing about the
customer is logged.
"""
from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from bot.chat.desk import SIGNATURE_HEADER, TIMESTAMP_HEADER, encode, sign
from bot.records import Looked

log = logging.getLogger(__name__)

REQUEST_HEADER = "X-FrontDoor-Request"
MAX_RESPONSE_BYTES = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer we do not follow: the data must come from the configured URL


class SelfServiceClient:
    def __init__(self, url: str, secret: str, *, timeout_seconds: float = 3.0):
        self.url = url
        self.secret = secret
        self.timeout_seconds = timeout_seconds
        self._opener = urllib.request.build_opener(_NoRedirects)

    @classmethod
    def from_settings(cls, settings) -> "SelfServiceClient | None":
        """None unless SELF_SERVICE_URL is set (settings refuse it without a secret)."""
        if not settings.self_service_url or not settings.self_service_secret:
            return None
        return cls(settings.self_service_url, settings.self_service_secret,
                   timeout_seconds=settings.self_service_timeout_seconds)

    def look_up(self, request: dict[str, Any]) -> Looked:
        request_id = uuid.uuid4().hex
        body = encode({**request, "request_id": request_id}).encode("utf-8")
        timestamp = str(int(time.time()))
        outgoing = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            REQUEST_HEADER: request_id,
            "User-Agent": "verification-front-door",
        })
        try:
            with self._opener.open(outgoing, timeout=self.timeout_seconds) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            return self._failed(f"HTTP {exc.code}")
        except TimeoutError:
            return self._failed("timeout")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return self._failed("timeout" if isinstance(reason, TimeoutError) else f"unreachable ({type(reason).__name__})")
        if len(raw) > MAX_RESPONSE_BYTES:
            return self._failed("answer too large")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self._failed("answer is not JSON")
        if not isinstance(data, dict):
            return self._failed("answer is not a JSON object")
        return Looked(values=data)

    def _failed(self, problem: str) -> Looked:
        log.warning("self-service look-up failed: %s", problem)
        return Looked(problem=problem)
