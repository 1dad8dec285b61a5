"""Loading flows: the shipped files load; each kind of mistake is reported with file and line."""
from __future__ import annotations

import pytest

from bot.engine.bundle import bundle_from_texts
from tests.flow_texts import shipped
from bot.yaml_source import ConfigError


@pytest.fixture
def texts():
    return shipped()


def problems(texts) -> list[str]:
    with pytest.raises(ConfigError) as info:
        bundle_from_texts(texts)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_flows_load(texts):
    bundle = bundle_from_texts(texts)
    assert bundle.flow.start == "welcome"
    assert set(bundle.flow.steps) >= {"customer_number", "date_of_birth", "postcode", "check_details", "main_menu"}
    assert len(bundle.version) == 12
    assert bundle_from_texts(texts).version == bundle.version


def test_version_changes_with_any_file(texts):
    before = bundle_from_texts(texts).version
    texts["departments.yaml"] = texts["departments.yaml"].replace("Billing and payments", "Billing")
    assert bundle_from_texts(texts).version != before


def test_unknown_step_type_is_reported_at_its_line(texts):
    texts["default.yaml"] = texts["default.yaml"].replace("type: menu", "type: menuu")
    found = problems(texts)
    line = line_of(texts["default.yaml"], "type: menuu")
    assert f"flows/default.yaml:{line}: unknown step type 'menuu'" in found[0]
    assert "expected one of" in found[0]


def test_transition_to_a_missing_step(texts):
    texts["default.yaml"] = texts["default.yaml"].replace("next: date_of_birth", "next: date_of_brith")
    found = problems(texts)
    line = line_of(texts["default.yaml"], "next: date_of_brith")
    assert any(f"default.yaml:{line}:" in p and "date_of_brith" in p for p in found)


def test_unknown_field_and_out_of_range_value(texts):
    text = texts["default.yaml"].replace("    max_attempts: 3\n", "    max_attempts: 30\n    retries: 2\n", 1)
    assert text != texts["default.yaml"]
    texts["default.yaml"] = text
    found = problems(texts)
    assert any(f":{line_of(text, 'max_attempts: 30')}:" in p and "from 1 to 10" in p for p in found)
    assert any(f":{line_of(text, 'retries: 2')}:" in p and "unknown field 'retries'" in p for p in found)


def test_unreachable_step(texts):
    texts["default.yaml"] = texts["default.yaml"] + "\n  orphan:\n    type: say\n    say: hello\n    next: welcome\n"
    found = problems(texts)
    assert any("orphan" in p and "never be reached" in p for p in found)


def test_unknown_department_in_menu(texts):
    texts["default.yaml"] = texts["default.yaml"].replace("department: cards", "department: kards")
    found = problems(texts)
    line = line_of(texts["default.yaml"], "department: kards")
    assert any(f":{line}:" in p and "unknown department 'kards'" in p for p in found)


def test_unknown_policy_and_factor(texts):
    texts["default.yaml"] = texts["default.yaml"].replace("policy: default", "policy: strict")
    texts["policy.yaml"] = texts["policy.yaml"].replace("all_of: [date_of_birth, postcode]", "all_of: [date_of_birth, shoe_size]")
    found = problems(texts)
    assert any("policy.yaml" in p and "shoe_size" in p for p in found)
    assert any("default.yaml" in p and "unknown policy 'strict'" in p for p in found)


def test_bad_department_target(texts):
    texts["departments.yaml"] = texts["departments.yaml"].replace('target: {number: "+442071234567"}', 'target: {number: "020 7123"}')
    found = problems(texts)
    line = line_of(texts["departments.yaml"], 'number: "020 7123"')
    assert any(f"departments.yaml:{line}:" in p and "E164" in p for p in found)


def test_invalid_yaml_names_the_line(texts):
    texts["default.yaml"] = texts["default.yaml"].replace("start: welcome", "start: [welcome")
    found = problems(texts)
    assert found and "default.yaml" in found[0] and "not valid YAML" in found[0]


def test_missing_language_wording(texts):
    texts["default.yaml"] = texts["default.yaml"].replace("languages: [en]", "languages: [en, es]").replace(
        'say: "Thank you, you\'re verified."', 'say: {en: "Thank you, you\'re verified."}')
    found = problems(texts)
    assert any("no 'es' wording" in p for p in found)


def test_number_scheme_problem_is_located(texts):
    texts["numbering.yaml"] = texts["numbering.yaml"].replace("algorithm: damm", "algorithm: dam")
    found = problems(texts)
    line = line_of(texts["numbering.yaml"], "algorithm: dam")
    assert any(f"numbering.yaml:{line}:" in p for p in found), found


def test_loop_without_waiting_for_the_caller(texts):
    texts["default.yaml"] = texts["default.yaml"].replace(
        "say: \"Thank you, you're verified.\"\n    next: main_menu\n",
        "say: \"Thank you, you're verified.\"\n    next: account_closed\n", 1).replace(
        "    next: to_general\n", "    next: verified\n", 1)
    found = problems(texts)
    assert any("loop without waiting for the caller" in p and "verified" in p and "account_closed" in p for p in found), found


def test_loop_with_no_exit(texts):
    # The menu's options all lead to a step that only goes back to the menu.
    text = texts["default.yaml"]
    text = text.replace("    on_fail: to_account_team\n    next: to_department\n", "    on_fail: main_menu\n    next: main_menu\n")
    # ...and the self-service look-up it offers goes back to the menu whatever happens.
    text = text.replace("    next: main_menu\n    on_fail: to_account_team\n", "    next: main_menu\n    on_fail: main_menu\n")
    assert text != texts["default.yaml"]
    texts["default.yaml"] = text
    found = problems(texts)
    assert any("loop with no exit" in p and "main_menu" in p for p in found), found


def test_unsupported_or_broken_ssml_is_reported(texts):
    texts["default.yaml"] = texts["default.yaml"].replace(
        'say: "Thank you, you\'re verified."', 'say: "Thank you, <audio src=\'x\'/> you\'re verified."')
    found = problems(texts)
    assert any("<audio> is not supported" in p for p in found), found


def test_gather_settings_are_checked(texts):
    texts["default.yaml"] = texts["default.yaml"].replace(
        "      speech_timeout: auto\n", "      speech_timeout: auto\n      speech_model: phone_call\n      speechTimout: 3\n", 1)
    found = problems(texts)
    assert any("unknown Gather setting 'speechTimout'" in p for p in found), found
    assert any("not auto, when a speech_model is set" in p for p in found), found
