"""A local stand-in for Twilio's Messages API (POST .../Accounts/{sid}/Messages.json), for tests.
The real `twilio` client talks to it through tests.fake_verify.RedirectingHttpClient."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fake_verify import RedirectingHttpClient


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
        server = self.server
        path = urlsplit(self.path).path
        if server.down or not path.endswith("/Messages.json"):
            status, body = (503 if server.down else 404), {"code": 20500, "message": "unavailable", "status": 503}
        else:
            server.sent.append(form)
            status, body = 201, {"sid": "SM" + "0" * 32, "status": "queued", "to": form.get("To"), "body": form.get("Body")}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeMessagesServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.sent = []
        self.httpd.down = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def sent(self) -> list[dict]:
        return self.httpd.sent

    def go_down(self) -> None:
        self.httpd.down = True

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def http_client(self) -> RedirectingHttpClient:
        return RedirectingHttpClient(f"http://127.0.0.1:{self.httpd.server_address[1]}")
