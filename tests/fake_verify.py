"""A local stand-in for Twilio Verify v2, for tests: a real HTTP server on 127.0.0.1 that the real
`twilio` client talks to (its requests are redirected here), so nothing ever reaches Twilio.

It models what the bot relies on: a code per verification (readable from `outbox`, as the phone
would receive it), expiry after 10 minutes (the clock is injectable), at most 5 sends and 5 checks
per verification (429 with Twilio's error 60203 / 60202), statuses pending, approved, canceled and
expired, and 404 (error 20404) for a check with no live verification: expired, approved, or
cancelled after too many checks.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from bot.twilio_rest import BaseUrlHttpClient

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "verify-test-token-0123456789"
SERVICE_SID = "VA" + "2" * 32
LIFETIME = dt.timedelta(minutes=10)
MAX_CHECKS = MAX_SENDS = 5
_PATH = re.compile(r"^/v2/Services/(?P<service>[^/]+)/(?P<what>Verifications|VerificationCheck)(?:/(?P<sid>[^/]+))?$")


@dataclass
class Verification:
    sid: str
    to: str
    code: str
    channel: str
    created: dt.datetime
    status: str = "pending"  # pending | approved | canceled | expired
    sends: int = 1
    checks: int = 0


@dataclass
class FakeVerify:
    clock: callable = field(default=lambda: dt.datetime.now(dt.timezone.utc))
    code_length: int = 6
    verifications: list[Verification] = field(default_factory=list)
    outbox: list[tuple[str, str]] = field(default_factory=list)  # (to, code): the SMS the phone receives
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    fail_with: int | None = None  # answer every request with this HTTP status (an outage)
    offset: dt.timedelta = dt.timedelta(0)
    # The credentials the client must present (HTTP Basic), as Twilio checks them.
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- test helpers -------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.clock() + self.offset

    def advance(self, **delta) -> None:
        self.offset += dt.timedelta(**delta)

    def last_code(self, to: str) -> str:
        return next(code for phone, code in reversed(self.outbox) if phone == to)

    def live(self, to: str) -> Verification | None:
        for verification in reversed(self.verifications):
            if verification.to == to and verification.status == "pending":
                if self.now() - verification.created >= LIFETIME:
                    verification.status = "expired"
                    return None
                return verification
        return None

    # -- the API --------------------------------------------------------------------------------
    def create(self, form: dict[str, str]) -> tuple[int, dict]:
        to, channel = form.get("To", ""), form.get("Channel", "")
        if not re.fullmatch(r"\+[1-9]\d{6,14}", to) or channel not in ("sms", "call", "email", "whatsapp"):
            return 400, _error(60200, "Invalid parameter", 400)
        verification = self.live(to)
        if verification is not None:
            if verification.sends >= MAX_SENDS:
                return 429, _error(60203, "Max send attempts reached", 429)
            verification.sends += 1  # a resend: the same verification and the same code
        else:
            code = "".join(secrets.choice("0123456789") for _ in range(self.code_length))
            verification = Verification("VE" + uuid.uuid4().hex, to, code, channel, self.now())
            self.verifications.append(verification)
        self.outbox.append((to, verification.code))
        return 201, self._body(verification)

    def check(self, form: dict[str, str]) -> tuple[int, dict]:
        to, code = form.get("To", ""), form.get("Code", "")
        if not to or not code:
            return 400, _error(60200, "Invalid parameter", 400)
        verification = self.live(to)
        if verification is None:
            return 404, _error(20404, "The requested resource was not found", 404)
        if verification.checks >= MAX_CHECKS:
            verification.status = "canceled"
            return 429, _error(60202, "Max check attempts reached", 429)
        verification.checks += 1
        if secrets.compare_digest(code, verification.code):
            verification.status = "approved"
        return 200, self._body(verification, valid=verification.status == "approved")

    def update(self, sid: str, form: dict[str, str]) -> tuple[int, dict]:
        verification = next((v for v in self.verifications if v.sid == sid and v.status == "pending"), None)
        if verification is None or form.get("Status") not in ("canceled", "approved"):
            return 404, _error(20404, "The requested resource was not found", 404)
        verification.status = form["Status"]
        return 200, self._body(verification)

    def _body(self, verification: Verification, *, valid: bool = False) -> dict:
        stamp = verification.created.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"sid": verification.sid, "service_sid": SERVICE_SID, "account_sid": ACCOUNT_SID,
                "to": verification.to, "channel": verification.channel, "status": verification.status,
                "valid": valid, "date_created": stamp, "date_updated": stamp, "lookup": {}, "amount": None,
                "payee": None, "send_code_attempts": [{"channel": verification.channel}] * verification.sends,
                "sna": None, "url": f"https://verify.twilio.com/v2/Services/{SERVICE_SID}/Verifications/{verification.sid}"}


def _error(code: int, message: str, status: int) -> dict:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - quiet: the suite's output is the tests'
        pass

    def do_POST(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
        path = urlsplit(self.path).path
        with fake.lock:
            fake.requests.append(("POST", path))
            status, body = self._route(fake, path, form)
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _route(self, fake: FakeVerify, path: str, form: dict[str, str]) -> tuple[int, dict]:
        expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return 401, _error(20003, "Authenticate", 401)
        if fake.fail_with:
            return fake.fail_with, _error(20500, "Internal Server Error", fake.fail_with)
        match = _PATH.match(path)
        if match is None or match["service"] != SERVICE_SID:
            return 404, _error(20404, "The requested resource was not found", 404)
        if match["what"] == "VerificationCheck":
            return fake.check(form)
        return fake.update(match["sid"], form) if match["sid"] else fake.create(form)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeVerify


class RedirectingHttpClient(BaseUrlHttpClient):
    """The production client for TWILIO_API_BASE_URL (bot.twilio_rest), pointed at a fake server."""

    def __init__(self, base_url: str):
        super().__init__(base_url, timeout=5)
        self.session.trust_env = False  # no proxy from the environment for 127.0.0.1


class FakeVerifyServer:
    def __init__(self, fake: FakeVerify | None = None):
        self.fake = fake or FakeVerify()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.fake = self.fake
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="fake-verify", daemon=True)

    def __enter__(self) -> "FakeVerifyServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def http_client(self) -> RedirectingHttpClient:
        return RedirectingHttpClient(self.base_url)
