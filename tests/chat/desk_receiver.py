"""A real agent desk for tests: an HTTP server on 127.0.0.1 that checks each post's HMAC signature."""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.chat import desk


@dataclass
class Received:
    headers: Message
    body: bytes
    signed: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class DeskReceiver:
    secret: str
    # Status codes to answer with, in order; after the list runs out every post gets 200 (if signed).
    plan: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # Requests that were not POSTs (a client that followed a redirect turns the POST into a GET).
    others: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/handoffs"

    def start(self) -> "DeskReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = desk.verify(receiver.secret, timestamp=self.headers.get(desk.TIMESTAMP_HEADER, ""),
                                     body=body, signature=self.headers.get(desk.SIGNATURE_HEADER, ""))
                receiver.received.append(Received(self.headers, body, signed))  # case-insensitive
                status = receiver.plan.pop(0) if receiver.plan else (200 if signed else 401)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/moved-handoffs")  # a desk that moved, or a login page
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802 - answers 200, as a login page or a moved endpoint would
                receiver.others.append(f"GET {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the desk is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/handoffs"
