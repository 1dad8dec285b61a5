"""A business endpoint for self-service look-ups, for tests: a real HTTP server on 127.0.0.1 that checks
each request's HMAC signature (bot.chat.desk.verify) and answers as planned."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.chat import desk


@dataclass
class Looked:
    body: dict
    signed: bool
    headers: object  # email.message.Message: names case-insensitive


@dataclass
class SelfServiceBackend:
    secret: str
    answer: dict | list | str = field(default_factory=lambda: {"balance": "£1,234.56", "as_of": "30 November"})
    status: int = 200
    delay_seconds: float = 0.0
    received: list[Looked] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/lookups"

    def start(self) -> "SelfServiceBackend":
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = desk.verify(backend.secret, timestamp=self.headers.get(desk.TIMESTAMP_HEADER, ""),
                                     body=raw, signature=self.headers.get(desk.SIGNATURE_HEADER, ""))
                backend.received.append(Looked(json.loads(raw), signed, self.headers))
                if backend.delay_seconds:
                    time.sleep(backend.delay_seconds)
                payload = (backend.answer if isinstance(backend.answer, str) else json.dumps(backend.answer)).encode()
                status = backend.status if signed else 401
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
