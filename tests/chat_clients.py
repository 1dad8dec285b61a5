"""Test clients for the chat channels: a web chat user of the JSON API, and a phone that texts the
messaging webhook the way Twilio does (signed form posts, <Message> TwiML back)."""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from twilio.request_validator import RequestValidator


class WebChat:
    """One web chat session driven through /chat/sessions."""

    def __init__(self, http):
        self.http = http
        self.session_id: str | None = None
        self.token: str | None = None
        self.replies: list[dict] = []  # every 200/201 body, in order
        self.last_status: int | None = None

    def open(self) -> "WebChat":
        response = self.http.post("/chat/sessions")
        assert response.status_code == 201, response.text
        body = response.json()
        self.session_id, self.token = body["session_id"], body["token"]
        self.replies.append(body)
        return self

    def post(self, text, *, token: str | None = "own", session_id: str | None = None, headers: dict | None = None,
             **kwargs):
        headers = dict(headers or {})
        token = self.token if token == "own" else token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if "content" not in kwargs:
            kwargs.setdefault("json", {"text": text})
        response = self.http.post(f"/chat/sessions/{session_id or self.session_id}/messages", headers=headers, **kwargs)
        self.last_status = response.status_code
        return response

    def send(self, text: str) -> "WebChat":
        response = self.post(text)
        assert response.status_code == 200, f"{response.status_code}: {response.text}"
        self.replies.append(response.json())
        return self

    @property
    def last(self) -> str:
        return " ".join(m["text"] for m in self.replies[-1]["messages"])

    @property
    def options(self) -> list[dict]:
        messages = self.replies[-1]["messages"]
        return messages[-1].get("options", []) if messages else []

    @property
    def ended(self) -> bool:
        return bool(self.replies[-1].get("ended"))

    @property
    def handoff(self) -> dict | None:
        return self.replies[-1].get("handoff")


@dataclass
class Texter:
    """A phone (or WhatsApp account) texting our number; every post is signed like Twilio's."""

    http: object
    token: str
    base_url: str
    from_: str = "+447700900123"
    to: str = "+442071230000"
    sign: bool = True
    replies: list[list[str]] = field(default_factory=list)  # the <Message> texts of each response
    responses: list = field(default_factory=list)

    def post(self, body: str, *, message_sid: str | None = None, **extra):
        url = self.base_url.rstrip("/") + "/twilio/messaging"
        params = {"MessageSid": message_sid or "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                  "From": self.from_, "To": self.to, "Body": body, "NumMedia": "0", "NumSegments": "1",
                  "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        if self.from_.startswith("whatsapp:"):
            params.update(ProfileName="Alice", WaId=self.from_.removeprefix("whatsapp:+"))
        params.update(extra)
        headers = {"X-Twilio-Signature": RequestValidator(self.token).compute_signature(url, params)} if self.sign else {}
        response = self.http.post(url, data=params, headers=headers)
        self.responses.append(response)
        return response

    def text(self, body: str, **kwargs) -> "Texter":
        response = self.post(body, **kwargs)
        assert response.status_code == 200, f"{response.status_code}: {response.text}"
        assert response.headers["content-type"].startswith("text/xml")
        root = ET.fromstring(response.text)
        assert root.tag == "Response" and all(child.tag == "Message" for child in root), response.text
        self.replies.append([child.text or "" for child in root])
        return self

    @property
    def last(self) -> str:
        return " ".join(self.replies[-1])
