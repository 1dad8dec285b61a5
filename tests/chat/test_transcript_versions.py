"""A chat in progress when a new flow version is published keeps withholding its answers: the
transcript is judged on the conversation's own version, in the turn's own transaction."""
from __future__ import annotations

import re
import shutil

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.chat.transcript import WITHHELD
from bot.engine.bundle import load_bundle
from bot.store import flow_versions
from bot.store.db import transaction
from bot.store.models import ChatMessage
from tests.chat_clients import WebChat
from tests.conftest import BASE_URL, FLOWS, make_settings


def renamed_question_flows(tmp_path):
    """The same flow with the date-of-birth question under another step name."""
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    for name in ("default.yaml", "lang/es.yaml"):
        path = target / name
        text = re.sub(r"(?m)^  date_of_birth:$", "  birth_date:", path.read_text())
        path.write_text(text.replace("next: date_of_birth", "next: birth_date").replace("on_yes: date_of_birth", "on_yes: birth_date"))
    return target


def test_answers_stay_withheld_across_a_publish(customers, tmp_path):
    from webhooks.app import create_app

    with TestClient(create_app(make_settings(customers)), base_url=BASE_URL) as http:
        chat = WebChat(http).open()
        chat.send("1023456781")
        assert "date of birth" in chat.last
        new = load_bundle(renamed_question_flows(tmp_path))
        assert "date_of_birth" not in new.flow.steps
        with transaction(customers) as session:
            assert flow_versions.publish(session, version=new.version, files=new.files, by="test")
        chat.send("03/03/1985")  # answered on the version the chat started on
        assert "postcode" in chat.last
    with transaction(customers) as session:
        said = [(m.sender, m.text) for m in session.scalars(select(ChatMessage).order_by(ChatMessage.id))]
    assert ("customer", WITHHELD) in said
    assert not any("1985" in text for _, text in said)
