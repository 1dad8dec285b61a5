"""`bot flows check` warns, at the wording's line, about any keypad question a caller who follows its
prompt would have to wait out (or whose finish key would spill into the next question)."""
from __future__ import annotations

from bot.engine.bundle import bundle_from_texts
from bot.engine.gather_timing import expected_digits, mentions_key
from tests.flow_texts import shipped


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def warnings(texts) -> list[str]:
    return [str(w) for w in bundle_from_texts(texts).warnings]


def test_the_shipped_flows_leave_no_keypad_caller_waiting():
    assert warnings(shipped()) == []


def test_a_keyed_zip_code_without_a_length_or_a_hash_is_reported_in_each_language():
    texts = shipped()
    texts["default.yaml"] = texts["default.yaml"].replace("      num_digits: 5\n", "", 1)
    texts["default.yaml"] = texts["default.yaml"].replace("or key in your five-digit ZIP code", "or key in your ZIP code")
    found = warnings(texts)
    en = line_of(texts["default.yaml"], "or key in your ZIP code")
    es = line_of(texts["lang/es.yaml"], "código ZIP de cinco dígitos")
    assert f"flows/default.yaml:{en}: warning: prompt: a keypad caller who follows this wording waits 6 s for " \
           "Twilio's timeout: its length is not fixed and it does not say to finish with the hash key (#)" in found
    assert any(w.startswith(f"flows/lang/es.yaml:{es}: warning: prompt:") for w in found)


def test_a_hash_after_a_fixed_length_answer_would_spill_into_the_next_question():
    texts = shipped()
    flow = texts["default.yaml"]
    texts["default.yaml"] = flow.replace("Please key in your date of birth now: two digits for the day, two for the "
                                         "month, four for the year.", "Please key in your date of birth now, then "
                                         "press hash.")
    found = warnings(texts)
    line = line_of(texts["default.yaml"], "your date of birth now, then press hash.")
    assert any(w.startswith(f"flows/default.yaml:{line}: warning: no_input.1: says to finish with the hash key (#), "
                            "but the question ends by itself after 8 key(s)") for w in found), found


def test_what_counts_as_naming_the_key():
    assert mentions_key("followed by the hash key", "#") and mentions_key("pulse almohadilla", "#")
    assert mentions_key("then press #", "#") and mentions_key("press the pound key", "#")
    assert not mentions_key("press hashtag", "#") and not mentions_key("say your postcode", "#")
    assert mentions_key("then press star", "*") and not mentions_key("press 1", "#")


def test_numdigits_is_left_off_only_where_the_entry_may_run_long_and_the_prompt_names_the_key():
    assert expected_digits(None, 10, "Enter it, followed by the hash key", "#", finish_when_prompted=True) is None
    assert expected_digits(None, 10, "Enter it", "#", finish_when_prompted=True) == 10
    assert expected_digits(None, 6, "Key it in. For a new code, press 0 then hash", "#") == 6
    assert expected_digits(7, 10, "followed by the hash key", "#", finish_when_prompted=True) == 7
