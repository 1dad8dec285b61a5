"""One-time codes through Twilio Verify (the `OneTimeCodes` interface steps use).

Verify generates, sends and keeps the code; we only ask it to send one to the phone on file and
whether a code is right. Its limits hold: a code expires after 10 minutes, at most 5 checks and
5 sends per verification. Failures never raise into a call: they come back as "unavailable".
Nothing logged here holds the phone number or the code.
"""
from __future__ import annotations

import logging

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from bot.twilio_rest import rest_client

log = logging.getLogger(__name__)

# A caller is waiting on the line: give up quickly and say so rather than leave silence.
TIMEOUT_SECONDS = 5
MAX_SENDS_REACHED, MAX_CHECKS_REACHED, NOT_FOUND = 60203, 60202, 20404


class TwilioVerify:
    def __init__(self, client: Client, service_sid: str, *, channel: str = "sms"):
        self.client = client
        self.service_sid = service_sid
        self.channel = channel

    @classmethod
    def from_settings(cls, settings, *, http_client=None) -> "TwilioVerify | None":
        """None unless TWILIO_VERIFY_SERVICE_SID, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are all set."""
        if not settings.verify_configured:
            return None
        return cls(rest_client(settings, timeout=TIMEOUT_SECONDS, http_client=http_client), settings.twilio_verify_service_sid)

    def _service(self):
        return self.client.verify.v2.services(self.service_sid)

    def send(self, phone: str) -> str:
        try:
            self._service().verifications.create(to=phone, channel=self.channel)
        except TwilioRestException as exc:
            if exc.status == 429 and exc.code == MAX_SENDS_REACHED:
                return "too-many"
            log.warning("Verify did not send a code: HTTP %s, Twilio error %s", exc.status, exc.code)
            return "unavailable"
        except (TwilioException, requests.RequestException, OSError) as exc:
            log.warning("Verify is unreachable: %s", type(exc).__name__)
            return "unavailable"
        return "sent"

    def check(self, phone: str, code: str) -> str:
        try:
            result = self._service().verification_checks.create(to=phone, code=code)
        except TwilioRestException as exc:
            if exc.status == 404:
                # Expired, already used, or cancelled after too many checks: no code to check any more.
                return "expired"
            if exc.status == 429 and exc.code == MAX_CHECKS_REACHED:
                return "too-many"
            log.warning("Verify did not check a code: HTTP %s, Twilio error %s", exc.status, exc.code)
            return "unavailable"
        except (TwilioException, requests.RequestException, OSError) as exc:
            log.warning("Verify is unreachable: %s", type(exc).__name__)
            return "unavailable"
        return {"approved": "approved", "pending": "wrong", "expired": "expired",
                "canceled": "too-many", "max_attempts_reached": "too-many"}.get(result.status, "unavailable")
