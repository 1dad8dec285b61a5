"""webhooks.twiml_text writes the same characters as the twilio library's str(response), for every
reply shape the voice and messaging renderers make: each reply is rendered twice, once as served and
once with the library's own writer put back, and the two must be equal byte for byte."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from twilio.twiml.voice_response import VoiceResponse

from bot.engine.io import Expect, Recording, Reply, Segment
from bot.records import Handoff, Target
from webhooks import messaging, twiml
from webhooks.twiml import render_hold, render_voice
from webhooks.twiml_text import twiml_text

# Text as flows and callers can give it: markup characters, quotes, whitespace XML attributes must
# escape, non-Latin scripts, emoji, and lone surrogates (which only a character reference can carry).
awkward = st.sampled_from(["&", "<", ">", '"', "'", "\n", "\r", "\t", "&amp;", "]]>", "é", "中文", "😀", "\ud800", " ", "."])
text = st.lists(st.one_of(awkward, st.text(max_size=8)), max_size=6).map("".join)
ssml = st.sampled_from(['Please <break time="500ms"/> press hash.', 'Say <lang xml:lang="fr-FR">bonjour</lang>.', "<emphasis level=\"strong\">Now</emphasis> &amp; then &lt;",
                        '<say-as interpret-as="digits">1234</say-as>', '<prosody rate="slow">slowly</prosody> tail',
                        "<lang>Bonjour</lang> hello", "<p><s>One.</s><s>Two.</s></p>",
                        '<sub alias="World Wide Web">WWW</sub>', '<w role="ivona:VB">read</w>'])
languages = st.sampled_from([None, "en-GB", "en-US", "fr-FR", "cy-GB"])
voices = st.sampled_from([None, "Polly.Amy", "alice", "Polly.Lea-Neural"])
segment = st.one_of(
    st.builds(Segment, text, st.just("text"), languages, voices),
    st.builds(Segment, st.text("0123456789", min_size=1, max_size=12), st.just("digits"), languages, voices),
    st.builds(Segment, st.sampled_from(["500ms", "1s", "2s"]), st.just("pause"), languages, voices),
    st.builds(Segment, ssml, st.just("ssml"), languages, voices),
)
expect = st.builds(Expect, dtmf=st.booleans(), speech=st.booleans(), num_digits=st.sampled_from([None, 1, 8, 10]),
                   finish_on_key=st.sampled_from(["#", "*", ""]), timeout=st.integers(1, 20),
                   speech_timeout=st.sampled_from(["auto", "3"]), speech_model=st.sampled_from([None, "phone_call", "numbers_and_commands"]),
                   enhanced=st.booleans(), hints=st.lists(text, max_size=3).map(tuple), language=languages)
context = st.dictionaries(st.sampled_from(["customer_number", "verified", "factors", "department", "call_sid", "note"]),
                          st.one_of(st.booleans(), st.none(), text, st.lists(text, max_size=3)), max_size=6)
target = st.one_of(
    st.builds(Target, st.just("queue"), text, st.sampled_from([None, "WW" + "1" * 32]), task_priority=st.sampled_from([None, 5]),
              task_timeout=st.sampled_from([None, 120])),
    st.builds(Target, st.just("number"), st.sampled_from(["+442071230000", "+1 (415) 555-0100"]), ring_seconds=st.integers(5, 60)),
    st.builds(Target, st.just("sip"), st.sampled_from(["sip:agent@example.com", "sip:desk@example.com?x=1"])),
)
handoff = st.builds(Handoff, st.sampled_from(["billing", "general"]), target, context)


@st.composite
def replies(draw) -> Reply:
    say = draw(st.lists(segment, max_size=6))
    shape = draw(st.sampled_from(["question", "offer", "handoff", "record", "end"]))
    reply = Reply(say=say, language=draw(st.sampled_from(["en", "en-GB", "fr-FR"])), voice=draw(voices))
    if shape in ("question", "offer"):
        reply.expect = draw(expect)
        if shape == "offer":
            reply.offer = draw(expect)
            reply.offer_said = draw(st.integers(0, len(say)))
    elif shape == "handoff":
        reply.handoff = draw(handoff)
    elif shape == "record":
        reply.record = Recording("billing", draw(st.integers(1, 600)))
    else:
        reply.end = True
    return reply


def outcome(render):
    """The document, or the kind of error rendering raised (a lone surrogate in a SIP header cannot be
    URL-encoded, with either writer)."""
    try:
        return render()
    except Exception as exc:
        return type(exc)


def with_the_library(render):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(twiml, "twiml_text", str)
        patch.setattr(messaging, "twiml_text", str)
        return outcome(render)


@settings(max_examples=600, deadline=None)
@given(reply=replies(), turn=st.integers(0, 99), workflow_sid=st.sampled_from([None, "WW" + "0" * 32]),
       whisper=st.sampled_from([None, "/twilio/voice/whisper?call=CA1"]))
def test_voice_replies_are_written_as_the_library_writes_them(reply, turn, workflow_sid, whisper):
    def render():
        return render_voice(reply, turn=turn, workflow_sid=workflow_sid, whisper_url=whisper)
    assert outcome(render) == with_the_library(render)


@settings(max_examples=300, deadline=None)
@given(reply=replies())
def test_messages_are_written_as_the_library_writes_them(reply):
    def render():
        return messaging.render_messages(reply, 1)
    assert outcome(render) == with_the_library(render)


@settings(max_examples=200, deadline=None)
@given(say=st.lists(segment, max_size=3), leave=st.booleans(), audio=st.sampled_from([None, "https://x.example/hold.mp3?a=1&b=2"]),
       pause=st.integers(1, 30), language=languages, voice=voices)
def test_hold_documents_are_written_as_the_library_writes_them(say, leave, audio, pause, language, voice):
    from types import SimpleNamespace
    hold = SimpleNamespace(leave=leave, say=say, audio=audio, pause_seconds=pause, language=language, voice=voice)
    assert outcome(lambda: render_hold(hold)) == with_the_library(lambda: render_hold(hold))


@pytest.mark.parametrize("build", [
    lambda r: r.hangup(),
    lambda r: r.say(""),
    lambda r: r.say("x").append(""),
    lambda r: (r.append("before"), r.hangup(), r.append("after"), r.append("last tail wins")),
    lambda r: r.enqueue(None, workflow_sid="WW1").task({"a": 1, "b": "<&>"}),
    lambda r: r.gather(action_on_empty_result=True, enhanced=False, timeout=0),
    # A namespaced attribute (xml:lang as ElementTree parses it) is left to the library's writer.
    lambda r: r.say("x").add_child("lang", "Bonjour", **{"{http://www.w3.org/XML/1998/namespace}lang": "fr-FR"}),
])
def test_odd_documents_are_written_as_the_library_writes_them(build):
    response = VoiceResponse()
    build(response)
    assert twiml_text(response) == str(response)
