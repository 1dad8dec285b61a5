"""A conversation driven by typed lines: the input grammar, the channel's own renderer, the language."""
from __future__ import annotations

import json

import pytest

from bot.dialogue import Dialogue, typed_input
from bot.turns import Conversations
from webhooks.renderers import renderer_for


@pytest.mark.parametrize("typed, kind, value", [
    ("1023456781#", "digits", "1023456781#"),
    ("03031985", "digits", "03031985"),
    ("*", "digits", "*"),
    ("#", "silence", ""),  # Twilio sends empty Digits for a lone '#'
    ("", "silence", ""),
    ("  ", "silence", ""),
    ("one oh two", "speech", "one oh two"),
    ("1 0 2 3", "speech", "1 0 2 3"),  # spaces: said, not keyed
])
def test_voice_grammar(typed, kind, value):
    inp = typed_input(typed, channel="voice", session_key="SIM-1")
    assert (inp.kind, inp.value) == (kind, value)


@pytest.mark.parametrize("channel", ["sms", "whatsapp", "web"])
def test_chat_lines_are_text(channel):
    inp = typed_input(" 1023456781# ", channel=channel, session_key="SIM-1")
    assert (inp.kind, inp.value) == ("text", "1023456781#")


def test_voice_replies_are_the_twiml_the_adapter_sends(customers, bundle):
    dialogue = Dialogue(Conversations(customers, bundle), channel="voice", renderers=renderer_for, caller="anonymous")
    first = dialogue.start()
    assert dialogue.caller is None  # withheld, as the voice adapter records it
    assert '<Gather action="/twilio/voice/turn?t=1"' in first.body
    second = dialogue.send("1023456781#")
    assert not second.replayed and '/twilio/voice/turn?t=2' in second.body
    assert dialogue.state().customer_number == "1023456781"


def test_web_and_sms_replies_are_what_their_adapters_send(customers, bundle):
    web = Dialogue(Conversations(customers, bundle), channel="web", renderers=renderer_for)
    body = json.loads(web.start().body)
    assert "type your customer number" in body["messages"][0]["text"] and body["ended"] is False
    sms = Dialogue(Conversations(customers, bundle), channel="sms", renderers=renderer_for, caller="+447700900123")
    assert sms.opened_by_message and not web.opened_by_message
    assert sms.start("hi").body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Welcome')


def test_a_language_the_flow_does_not_speak_is_refused(customers, bundle):
    dialogue = Dialogue(Conversations(customers, bundle), channel="voice", renderers=renderer_for, language="xx")
    with pytest.raises(ValueError, match="not 'xx'"):
        dialogue.start()
