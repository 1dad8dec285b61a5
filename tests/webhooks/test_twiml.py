"""Reply -> TwiML, checked as parsed XML."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

from bot.engine.io import Expect, Reply, Segment
from bot.records import Handoff, Target
from webhooks.twiml import render_voice, sip_with_headers

CONTEXT = {"customer_number": "1023456781", "verified": True, "factors": ["date_of_birth", "postcode"],
           "department": "billing", "channel": "voice", "language": "en", "call_sid": "CA1", "locked": False}


def parse(body: str) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return root


def test_question_becomes_gather_with_a_redirect_for_silence():
    reply = Reply(say=[Segment("Please enter <your> number & press hash.")],
                  expect=Expect(num_digits=10, hints=("$OOV_CLASS_DIGIT_SEQUENCE",), language="en-GB"),
                  language="en-GB", voice="Polly.Amy")
    root = parse(render_voice(reply, turn=3))
    gather, redirect = list(root)
    assert gather.tag == "Gather" and redirect.tag == "Redirect"
    assert gather.get("input") == "dtmf speech"
    assert gather.get("action") == "/twilio/voice/turn?t=3"
    assert gather.get("numDigits") == "10" and gather.get("finishOnKey") == "#"
    assert gather.get("hints") == "$OOV_CLASS_DIGIT_SEQUENCE"
    assert gather.get("speechTimeout") == "auto" and gather.get("language") == "en-GB"
    assert gather.get("actionOnEmptyResult") == "false"
    say = gather.find("Say")
    assert say.text == "Please enter <your> number & press hash."  # escaped in XML, intact when parsed
    assert say.get("voice") == "Polly.Amy"
    assert parse_qs(urlsplit(redirect.text).query) == {"t": ["3"], "e": ["silence"]}


def test_speech_model_forces_an_integer_speech_timeout():
    reply = Reply(say=[Segment("Say it")], expect=Expect(speech_model="phone_call"))
    gather = parse(render_voice(reply, turn=1)).find("Gather")
    assert gather.get("speechModel") == "phone_call" and gather.get("speechTimeout").isdigit()


def test_digits_are_read_one_by_one():
    reply = Reply(say=[Segment("I heard "), Segment("10", "digits"), Segment("300ms", "pause"),
                       Segment("23456781", "digits"), Segment(". Is that right?")], expect=Expect(num_digits=1))
    say = parse(render_voice(reply, turn=2)).find("Gather/Say")
    say_as = say.findall("say-as")
    assert [s.text for s in say_as] == ["10", "23456781"]
    assert all(s.get("interpret-as") == "digits" for s in say_as)
    assert say.find("break").get("time") == "300ms"
    assert "".join(say.itertext()).startswith("I heard")


def test_a_plain_queue_has_no_task_and_reports_how_the_wait_ended():
    # <Task> belongs to TaskRouter (workflowSid) only; a named queue's agents hear the whisper instead.
    reply = Reply(say=[Segment("Putting you through.")],
                  handoff=Handoff("billing", Target("queue", "billing"), CONTEXT))
    root = parse(render_voice(reply, turn=9))
    enqueue = root.find("Enqueue")
    assert enqueue.text.strip() == "billing" and enqueue.get("workflowSid") is None
    assert enqueue.find("Task") is None
    assert (enqueue.get("action"), enqueue.get("method")) == ("/twilio/voice/handoff?t=9", "POST")
    assert (enqueue.get("waitUrl"), enqueue.get("waitUrlMethod")) == ("/twilio/voice/hold", "POST")


def test_workflow_sid_routes_the_task_through_taskrouter_with_the_departments_priority_and_timeout():
    reply = Reply(handoff=Handoff("billing", Target("queue", "billing", task_priority=5, task_timeout=600), CONTEXT))
    enqueue = parse(render_voice(reply, turn=9, workflow_sid="WW0123")).find("Enqueue")
    assert enqueue.get("workflowSid") == "WW0123" and enqueue.get("action") == "/twilio/voice/handoff?t=9"
    task = enqueue.find("Task")
    assert json.loads(task.text)["verified"] is True
    assert (task.get("priority"), task.get("timeout")) == ("5", "600")
    plain = parse(render_voice(Reply(handoff=Handoff("billing", Target("queue", "billing"), CONTEXT)), turn=9,
                               workflow_sid="WW0123")).find("Enqueue/Task")
    assert plain.get("priority") is None and plain.get("timeout") is None


def test_number_target_dials_with_a_whisper_a_ring_limit_and_an_action():
    reply = Reply(handoff=Handoff("collections", Target("number", "+442071234567", ring_seconds=20), CONTEXT))
    dial = parse(render_voice(reply, turn=9, whisper_url="/twilio/voice/whisper?call=CA1")).find("Dial")
    number = dial.find("Number")
    assert number.text == "+442071234567" and number.get("url") == "/twilio/voice/whisper?call=CA1"
    assert (dial.get("action"), dial.get("method"), dial.get("timeout")) == ("/twilio/voice/handoff?t=9", "POST", "20")


def test_sip_target_carries_the_context_as_x_headers():
    reply = Reply(handoff=Handoff("fraud", Target("sip", "sip:fraud@pbx.example.com"), CONTEXT))
    dial = parse(render_voice(reply, turn=9)).find("Dial")
    assert dial.get("action") == "/twilio/voice/handoff?t=9" and dial.get("timeout") == "25"
    uri = dial.find("Sip").text
    assert uri.startswith("sip:fraud@pbx.example.com?")
    headers = parse_qs(urlsplit(uri.replace("sip:", "sip://", 1)).query)
    assert headers["X-Customer-Number"] == ["1023456781"]
    assert headers["X-Verified"] == ["true"]
    assert headers["X-Factors"] == ["date_of_birth,postcode"]
    assert headers["X-Locked"] == ["false"]


def test_sip_header_values_are_url_encoded():
    uri = sip_with_headers("sip:a@b", {"department": "a&b=c d"})
    assert uri == "sip:a@b?X-Department=a%26b%3Dc%20d"


def test_a_lone_surrogate_in_the_context_is_sent_as_a_question_mark_not_an_error():
    uri = sip_with_headers("sip:a@b", {"note": "a\ud800b", "department": "billing"})
    assert uri == "sip:a@b?X-Note=a%3Fb&X-Department=billing"


def test_end_hangs_up():
    root = parse(render_voice(Reply(say=[Segment("Goodbye.")], end=True), turn=4))
    assert [v.tag for v in root] == ["Say", "Hangup"]


def test_ssml_in_a_voice_prompt_is_spoken_as_ssml():
    reply = Reply(say=[Segment('Please listen. <break time="500ms"/> <emphasis level="strong">Then</emphasis> press hash.', "ssml")],
                  expect=Expect())
    say = parse(render_voice(reply, turn=1)).find("Gather/Say")
    assert say.find("break").get("time") == "500ms"
    assert say.find("emphasis").get("level") == "strong" and say.find("emphasis").text == "Then"
    assert " ".join("".join(say.itertext()).split()) == "Please listen. Then press hash."
    assert reply.text == "Please listen. Then press hash."


def test_a_phrase_in_another_language_keeps_its_xml_lang():
    """<lang xml:lang="..."> is SSML Twilio speaks; it was refused as "does not take {namespace}lang"."""
    from bot.engine.ssml import parse as parse_ssml

    parse_ssml('Say <lang xml:lang="fr-FR">bonjour</lang> now.')  # a flow with it passes the check
    reply = Reply(say=[Segment('Say <lang xml:lang="fr-FR">bonjour</lang> now.', "ssml")], expect=Expect())
    text = render_voice(reply, turn=1)
    assert '<lang xml:lang="fr-FR">bonjour</lang>' in text
    assert parse(text).find("Gather/Say/lang").get("{http://www.w3.org/XML/1998/namespace}lang") == "fr-FR"
    assert reply.text == "Say bonjour now."

