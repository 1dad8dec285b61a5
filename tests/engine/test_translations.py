"""Finding 1 (issue 13): Spanish menu options are matched to the English ones by their key, never by position."""
from __future__ import annotations

import pytest

from bot.engine.bundle import bundle_from_texts
from bot.yaml_source import ConfigError
from tests.engine.test_runner import Conversation
from tests.flow_texts import shipped

NEW_OPTION = '''      - key: "6"
        department: collections
        say: {voice: "For a payment plan, press 6.", chat: "6: a payment plan"}
'''


def problems(texts) -> list[str]:
    with pytest.raises(ConfigError) as info:
        bundle_from_texts(texts)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_option_inserted_before_another_keeps_every_translation_on_its_own_key():
    texts = shipped()
    # Insert a new option *before* "0", with its Spanish wording under its key.
    texts["default.yaml"] = texts["default.yaml"].replace('      - key: "0"\n', NEW_OPTION + '      - key: "0"\n', 1)
    texts["lang/es.yaml"] = texts["lang/es.yaml"].replace(
        '      "0": {say:', '      "6": {say: {voice: "Para un plan de pagos, pulse 6.", chat: "6: un plan de pagos"}}\n      "0": {say:', 1)
    bundle = bundle_from_texts(texts)
    convo = Conversation(bundle, channel="web")
    convo.send("text", "9")
    labels = {o.key: o.label for o in _menu(convo).expect.options}
    assert labels["4"] == "4: denunciar un fraude" and labels["0"] == "0: cualquier otra cosa"
    assert labels["6"] == "6: un plan de pagos"
    assert convo.send("text", "4").handoff.department == "fraud"


def _menu(convo):
    convo.send("text", "1023456781")
    convo.send("text", "03/03/1985")
    return convo.send("text", "SW1A 1AA")


def test_a_new_option_without_spanish_names_its_key_and_the_file():
    texts = shipped()
    texts["default.yaml"] = texts["default.yaml"].replace('      - key: "0"\n', NEW_OPTION + '      - key: "0"\n', 1)
    found = problems(texts)
    line = line_of(texts["default.yaml"], 'say: {voice: "For a payment plan')
    assert found == [f'flows/default.yaml:{line}: prompt has no \'es\' wording: add steps.main_menu.options."6".say '
                     'to flows/lang/es.yaml']


def test_a_translation_for_a_key_the_menu_lacks_is_reported():
    texts = shipped()
    texts["lang/es.yaml"] = texts["lang/es.yaml"].replace('      "4": {say:', '      "7": {say:', 1)
    found = problems(texts)
    line = line_of(texts["lang/es.yaml"], '"7": {say:')
    # One mistake (a renamed key), one message: it names the option left without wording.
    assert found == [f"flows/lang/es.yaml:{line}: step 'main_menu' has no option with key '7' to translate; "
                     "the options with no wording here: 4"]


def test_translations_by_position_are_refused():
    texts = shipped()
    es = texts["lang/es.yaml"]
    start = es.index("    options:\n      \"1\"")
    end = es.index("\n\n", start)
    texts["lang/es.yaml"] = es[:start] + "    options:\n      - say: uno\n" + es[end:]
    found = problems(texts)
    line = line_of(texts["lang/es.yaml"], "    options:")
    assert found == [f'flows/lang/es.yaml:{line}: options are translated by their key, not their position: '
                     'write "1": {say: ...} for the option with key: "1"']
