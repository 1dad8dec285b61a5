"""Languages: a language choice, prompts per language from flows/lang/<code>.yaml, voice per language."""
from __future__ import annotations

import shutil

import pytest

from bot.engine.bundle import load_bundle
from bot.yaml_source import ConfigError
from tests.conftest import FLOWS
from tests.engine.test_runner import Conversation

def bilingual_flows(tmp_path):
    """A copy of the shipped flows, which speak English and Spanish, for tests that break it."""
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target


def test_inline_choice_rides_on_the_first_question(tmp_path):
    bundle = load_bundle(bilingual_flows(tmp_path))
    convo = Conversation(bundle)
    spoken = [(s.text.strip(), s.language) for s in convo.reply.say if s.kind == "text"]
    assert ("Para español, pulse 9.", "es-ES") in spoken
    assert "customer number" in convo.reply.text and convo.reply.language == "en-GB"
    assert convo.state.step == "customer_number" and convo.state.offer == "choose_language"
    convo.send("digits", "1023456781#")  # not a language choice: it answers the number question
    assert convo.state.step == "date_of_birth" and convo.state.language == "en" and convo.state.offer is None
    assert convo.send("digits", "9").text != "" and convo.state.language == "en"  # the offer has gone


def test_choosing_spanish_switches_prompts_voice_and_handoff_language(tmp_path):
    bundle = load_bundle(bilingual_flows(tmp_path))
    convo = Conversation(bundle)
    reply = convo.send("digits", "9")
    assert convo.state.language == "es"
    assert reply.language == "es-ES" and reply.voice == "Polly.Lucia"
    assert "número de cliente" in reply.text and convo.state.step == "customer_number"
    assert reply.expect.language == "es-ES"
    convo.send("digits", "1023456781#")
    assert "fecha de nacimiento" in convo.reply.text
    convo.send("digits", "03031985")
    convo.send("speech", "SW1A 1AA")
    assert "verificado" in convo.reply.text
    reply = convo.send("digits", "1")
    assert reply.handoff.context["language"] == "es" and reply.handoff.department == "billing"


def test_spoken_language_name_is_understood(tmp_path):
    convo = Conversation(load_bundle(bilingual_flows(tmp_path)))
    convo.send("speech", "español por favor")
    assert convo.state.language == "es"


def test_chat_gets_the_chat_wording_in_spanish(tmp_path):
    convo = Conversation(load_bundle(bilingual_flows(tmp_path)), channel="web")
    reply = convo.send("text", "9")
    assert "Escriba su número de cliente" in reply.text


def test_a_missing_translation_names_the_flow_line_and_the_file_to_fix(tmp_path):
    flows = bilingual_flows(tmp_path)
    es = (flows / "lang" / "es.yaml").read_text()
    assert '    retry_prompt: "Intentémoslo una vez más."\n' in es
    (flows / "lang" / "es.yaml").write_text(es.replace('    retry_prompt: "Intentémoslo una vez más."\n', ""))
    with pytest.raises(ConfigError) as info:
        load_bundle(flows)
    messages = [str(p) for p in info.value.problems]
    line = next(i for i, l in enumerate((flows / "default.yaml").read_text().splitlines(), 1) if "retry_prompt:" in l)
    assert any(f"default.yaml:{line}:" in m and "'es'" in m and "lang/es.yaml" in m for m in messages), messages


def test_a_translation_for_a_step_the_flow_lacks_is_reported(tmp_path):
    flows = bilingual_flows(tmp_path)
    with (flows / "lang" / "es.yaml").open("a") as handle:
        handle.write("\n  old_step:\n    say: hola\n")
    with pytest.raises(ConfigError) as info:
        load_bundle(flows)
    assert any("es.yaml" in str(p) and "old_step" in str(p) for p in info.value.problems)


def test_declared_language_without_a_file(tmp_path):
    flows = bilingual_flows(tmp_path)
    (flows / "lang" / "es.yaml").unlink()
    with pytest.raises(ConfigError) as info:
        load_bundle(flows)
    assert any("flows/lang/es.yaml is missing" in str(p) for p in info.value.problems)


def test_an_ambiguous_date_is_read_back_in_spanish(tmp_path):
    convo = Conversation(load_bundle(bilingual_flows(tmp_path)))
    convo.send("digits", "9")
    convo.send("digits", "1023456781#")
    reply = convo.send("speech", "03/04/1985")  # 3 April or 4 March: read back before use
    assert "3 de abril de 1985" in reply.text and "¿Ha dicho" in reply.text
