"""`bot simulate` driven with scripted input, as a supervisor would type it, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import get_settings
from bot.store.db import transaction
from bot.store.models import Conversation, Event
from tests.conftest import FLOWS

runner = CliRunner()


@pytest.fixture
def simulate(customers, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", customers)
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    get_settings.cache_clear()

    def run(lines: list[str], *args: str):
        return runner.invoke(app, ["simulate", *args], input="".join(line + "\n" for line in lines))

    yield run
    get_settings.cache_clear()


def session_row(url: str, output: str) -> Conversation:
    key = re.search(r"session (SIM-[0-9a-f]{32})", output).group(1)
    with transaction(url) as session:
        return session.scalar(select(Conversation).where(Conversation.session_key == key))


def between(output: str, command: str) -> str:
    """What a command printed: from its echoed line to the next one typed."""
    return output.split(f"you> {command}\n", 1)[1].split("you> ", 1)[0]


def test_a_call_by_keypad_with_silence_state_and_twiml(simulate, customers):
    result = simulate(["1023456781#", "", ":state", "03031985", "SW1A 1AA", "1", ":twiml", ":quit"],
                      "--from", "+447911123456")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "bot: Welcome to Northwind" in out and "[customer_number] waiting for keypad (# to finish) or speech" in out
    assert "the offer listens 1 s for 1 key, or speech in es-ES, before the question" in out
    assert "didn't hear anything" in between(out, "")  # the empty line was silence
    state = json.loads(between(out, ":state"))
    assert state["step"] == "date_of_birth" and state["counters"] == {"date_of_birth": {"no_input": 1}}
    assert state["customer_number"] == "******6781" and state["caller"] == "********3456"
    assert "1023456781" not in between(out, ":state")
    assert "you're verified" in out
    assert "-> handed over to billing (queue billing): verified true, locked false, reason selected" in out
    twiml = between(out, ":twiml")
    assert twiml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Say')
    # No TWILIO_WORKFLOW_SID: a plain named queue, which takes no <Task> (TaskRouter's alone).
    assert 'waitUrl="/twilio/voice/hold"' in twiml and ">billing</Enqueue>" in twiml and "<Task" not in twiml
    row = session_row(customers, out)
    assert row.channel == "voice" and row.status == "closed" and row.end_reason == "handoff"
    assert row.caller == "+447911123456"


def test_quitting_mid_call_hangs_up_where_the_caller_was(simulate, customers):
    result = simulate(["1023456781#", ":quit", "never read"])
    assert result.exit_code == 0, result.output
    assert "(hung up)" in result.output and "never read" not in result.output
    row = session_row(customers, result.output)
    assert row.status == "closed" and row.end_reason == "completed" and row.hung_up_at_step == "date_of_birth"
    with transaction(customers) as session:
        outcomes = [e.outcome for e in session.scalars(select(Event).where(Event.conversation_id == row.id))]
    assert outcomes[-1] == "hung-up"


def test_end_of_input_also_hangs_up(simulate, customers):
    result = simulate(["agent is not said yet"])
    assert result.exit_code == 0, result.output
    assert session_row(customers, result.output).end_reason == "completed"


def test_speech_and_control_words(simulate):
    result = simulate(["*", "start again", "can I speak to a real person"])
    assert result.exit_code == 0, result.output
    assert "put you through to a colleague" in between(result.output, "can I speak to a real person")
    assert "reason agent-requested" in result.output


def test_web_chat_shows_chat_wording_quick_replies_and_json(simulate):
    result = simulate(["1023456781", "", "03/03/1985", "SW1A 1AA", ":twiml", "cards", "after the end"],
                      "--channel", "web")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "bot: Welcome to Northwind. I can check your details and connect you" in out
    assert "keypad" not in out.split("you> ")[1]
    assert "a chat only moves when a message arrives" in between(out, "")
    assert "quick replies: 1: billing and payments | 2: cards" in out
    body = json.loads(between(out, ":twiml"))
    assert body["ended"] is False and body["messages"][0]["options"][0]["key"] == "1"
    assert "handed over to cards" in out
    assert "The conversation has ended" in between(out, "after the end")


def test_sms_starts_with_the_first_message(simulate, customers):
    result = simulate(["hello", ":twiml"], "--channel", "sms", "--from", "+447700900123")
    assert result.exit_code == 0, result.output
    assert "starts when the customer's first message arrives" in result.output
    assert between(result.output, "hello").startswith("bot: Welcome to Northwind")
    assert "<Message>Welcome to Northwind" in between(result.output, ":twiml")
    assert session_row(customers, result.output).channel == "sms"


def test_help_and_unknown_commands(simulate):
    result = simulate([":help", ":nope"])
    assert ":twiml   what the last reply sent to Twilio" in between(result.output, ":help")
    assert "unknown command :nope" in result.output


def test_lang_picks_a_language_the_flow_declares(simulate, tmp_path, monkeypatch):
    copy = tmp_path / "flows"
    shutil.copytree(FLOWS, copy)
    default = copy / "default.yaml"
    default.write_text(re.sub(r"^languages:.*$", "languages: [en, es]", default.read_text(), count=1, flags=re.M))
    result = simulate([":state", ":quit"], "--lang", "es", "--flows", str(copy))
    assert result.exit_code == 0, result.output
    assert "language es" in result.output and "bot: Bienvenido a Northwind" in result.output
    assert json.loads(between(result.output, ":state"))["language"] == "es"


def test_a_language_the_flow_does_not_declare_is_refused(simulate):
    result = simulate([], "--lang", "xx")
    assert result.exit_code == 1 and "--lang 'xx': the flow speaks" in result.output


def test_an_unmigrated_database_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["simulate"], input="\n")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "run `bot db upgrade`" in result.output and "Traceback" not in result.output


def test_state_withholds_a_reading_awaiting_yes_or_no(simulate):
    result = simulate(["one oh two three four five six seven eight one", ":state", ":quit"])
    assert result.exit_code == 0, result.output
    state = json.loads(between(result.output, ":state"))
    assert state["pending"]["value"] == "(withheld)"
    assert "1023456781" not in between(result.output, ":state")


def test_handoff_reports_how_the_line_ended_and_the_caller_hears_the_alternatives(simulate):
    result = simulate(["1023456781#", "03031985", "SW1A 1AA", "1", ":handoff sideways", ":handoff left", "2"],
                      "--from", "+447911123456")
    assert result.exit_code == 0, result.output
    assert ":handoff needs one of answered" in between(result.output, ":handoff sideways")
    offered = between(result.output, ":handoff left")
    assert "no one is free to take your call" in offered and "To leave a message, press 2" in offered
    assert "Please leave a message after the tone" in between(result.output, "2")
