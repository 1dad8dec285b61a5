"""The one place the service builds a client for Twilio's REST API (Messages, Verify, Calls).

TWILIO_API_BASE_URL (unset: Twilio itself) sends every request to another base URL, such as a
local Twilio mock or an egress proxy. The path is kept as Twilio's (`/2010-04-01/Accounts/...`,
`/v2/Services/...`), so one base URL serves api.twilio.com and verify.twilio.com alike; the host
Twilio would have been called on goes along in `X-Twilio-Host`, for a proxy that routes by it.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

ORIGINAL_HOST_HEADER = "X-Twilio-Host"


class BaseUrlHttpClient(TwilioHttpClient):
    """The twilio library's own HTTP client, with Twilio's hosts replaced by one base URL."""

    def __init__(self, base_url: str, *, timeout: float):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            # The client only ever builds Twilio URLs; anything else is a bug, not a request to pass on.
            raise ValueError(f"not a Twilio API URL: {parts.scheme}://{host}")
        target = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {**(headers or {}), ORIGINAL_HOST_HEADER: host}
        return super().request(method, target, params=params, data=data, headers=headers, auth=auth,
                               timeout=timeout, allow_redirects=allow_redirects)


def rest_client(settings, *, timeout: float, http_client=None) -> Client:
    """A twilio Client with the account's credentials, talking to TWILIO_API_BASE_URL when it is set.

    `http_client` is for tests that bring their own; production passes none."""
    if http_client is None:
        base_url = getattr(settings, "twilio_api_base_url", None)
        http_client = BaseUrlHttpClient(base_url, timeout=timeout) if base_url else TwilioHttpClient(timeout=timeout)
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
