"""Driving the Try-it pane the way a supervisor's browser does without a script: plain form posts."""
from __future__ import annotations

import html
import re

from tests.console.conftest import csrf

_ENTRY = re.compile(r'<li class="(from-bot|from-customer|note|step)"[^>]*>(.*?)</li>', re.S)
_SAID = re.compile(r'<span class="said">(.*?)</span>', re.S)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


class Pane:
    def __init__(self, client, path: str):
        self.client = client
        self.path = path
        self.token = path.rsplit("/", 1)[-1]

    @classmethod
    def start(cls, client, **form) -> "Pane":
        response = client.post("/console/flows/try", data={"csrf_token": csrf(client, "/console/flows/try"), **form},
                               follow_redirects=False)
        assert response.status_code == 303, response.text[-3000:]
        return cls(client, response.headers["location"])

    @property
    def html(self) -> str:
        return self.client.get(self.path).text

    def turn(self) -> str:
        found = re.search(r'name="turn" value="(\d+)"', self.html)
        assert found, "the pane has no reply form (the conversation ended?)"
        return found.group(1)

    def post(self, **form):
        return self.client.post(self.path, data={"csrf_token": csrf(self.client, self.path), **form},
                                follow_redirects=False)

    def send(self, *texts: str) -> "Pane":
        for text in texts:
            response = self.post(action="send", text=text, turn=self.turn())
            assert response.status_code == 303 and response.headers["location"] == self.path, response.text[-2000:]
        return self

    def silence(self) -> "Pane":
        assert self.post(action="silence", turn=self.turn()).status_code == 303
        return self

    def hang_up(self) -> "Pane":
        assert self.post(action="hangup", turn=self.turn()).status_code == 303
        return self

    def entries(self) -> list[tuple[str, str]]:
        """(who, text) for every line of the transcript: from-bot, from-customer, note, step."""
        page = self.html
        transcript = page.split('id="transcript"', 1)[1].split("</ol>", 1)[0]
        # A message's own words (without "Bot:" or "You:"); notes and steps whole.
        return [(kind, _text(_SAID.search(body).group(1) if _SAID.search(body) else body))
                for kind, body in _ENTRY.findall(transcript)]

    def said(self, who: str = "from-bot") -> list[str]:
        return [text for kind, text in self.entries() if kind == who]

    @property
    def last(self) -> str:
        return self.said()[-1]

    def notes(self) -> list[str]:
        return self.said("note")
