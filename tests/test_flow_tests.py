"""The conversation tests supervisors write (flows/tests/*.yaml): the shipped ones pass, each of them
fails when the behaviour it guards is broken, and a failure or a malformed file is reported with
file and line, never a traceback."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.flowtests.report import report
from bot.flowtests.run import closest, find_tests, run_file
from bot.flowtests.spec import read_test
from bot.settings import get_settings
from bot.yaml_source import ConfigError, parse_yaml
from tests.conftest import FLOWS
from webhooks.renderers import renderer_for

runner = CliRunner()
SHIPPED = find_tests(FLOWS / "tests")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    monkeypatch.chdir(tmp_path)  # no stray .env is read; file names print relative to here
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def flows_copy(tmp_path) -> Path:
    """A supervisor's working copy of flows/, tests included."""
    copy = tmp_path / "flows"
    shutil.copytree(FLOWS, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should appear exactly once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    matches = [number for number, line in enumerate(lines, start=1)
               if fragment in line and not line.lstrip().startswith("#")]
    assert len(matches) == 1, (fragment, matches)
    return matches[0]


def write_test(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_flow_ships_its_conversation_tests():
    assert len(SHIPPED) >= 8, [p.name for p in SHIPPED]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_flow_test_passes(path, bundle):
    result = run_file(path, bundle, renderers=renderer_for)
    assert result.passed, "\n".join(text for text, _ in report(result, transcript=True))


def test_bot_flows_test_passes_on_the_shipped_tests(env):
    result = runner.invoke(app, ["flows", "test"])
    assert result.exit_code == 0, result.output
    assert result.output.count("PASS  ") == len(SHIPPED)
    assert f"{len(SHIPPED)} passed, 0 failed" in result.output


def test_a_changed_prompt_fails_readably_with_file_line_and_words(env, flows_copy):
    edit(flows_copy / "default.yaml", "And please say your postcode, or key in your five-digit ZIP code.",
         "And please say your post code, or key in your five-digit ZIP code.")
    result = runner.invoke(app, ["flows", "test", str(flows_copy / "tests")])
    assert result.exit_code == 1
    test_file = flows_copy / "tests" / "01_genuine_caller_keypad.yaml"
    line = line_of(test_file, 'send: "03031985"')
    assert "FAIL  flows/tests/01_genuine_caller_keypad.yaml" in result.output
    assert f"flows/tests/01_genuine_caller_keypad.yaml:{line}: turn 2, after sending \"03031985\"" in result.output
    assert '- reply containing: "postcode"' in result.output
    assert '(closest in the reply: "post code")' in result.output
    assert '+ reply: "And please say your post code, or key in your five-digit ZIP code."' in result.output
    assert re.search(r"\d+ passed, [1-9]\d* failed", result.output)
    assert "Traceback" not in result.output


# Each shipped test guards something: break it in a copy of flows/ and that test, named, must fail.
MUTATIONS = [
    ("02_genuine_caller_speech", "default.yaml", 'voice: "I heard {number}.', 'voice: "You said {number}.'),
    ("03_mistyped_number", "default.yaml", 'voice: "A customer number has {length} digits.',
     'voice: "A customer number is {length} characters long.'),
    ("04_silence_to_general", "default.yaml", "    max_attempts: 3\n    locked_prompt:", "    max_attempts: 4\n    locked_prompt:"),
    ("05_wrong_answers_to_general", "default.yaml", "Sorry, those details don't match our records.",
     "Sorry, that did not work."),
    ("07_locked_after_failures", "policy.yaml", "threshold: 3", "threshold: 4"),
    ("08_closed_account", "default.yaml", "Your account with us is no longer active, so I'll",
     "Your account is closed, so I'll"),
    ("09_control_words", "default.yaml", "No problem, let's start again.", "Starting over."),
    ("10_web_chat_wording", "default.yaml", 'chat: "Please type your customer number."',
     'chat: "Please enter your customer number on your keypad."'),
    ("11_sms_suspended_account", "default.yaml", "    type: handoff\n    department: account_review",
     "    type: handoff\n    department: general"),
]


@pytest.mark.parametrize("test_name, flow_file, old, new", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_shipped_test_fails_when_what_it_guards_breaks(flows_copy, test_name, flow_file, old, new):
    from bot.engine.bundle import load_bundle

    path = flows_copy / "tests" / f"{test_name}.yaml"
    assert run_file(path, load_bundle(flows_copy), renderers=renderer_for).passed  # the copy passes before the change
    edit(flows_copy / flow_file, old, new)
    result = run_file(path, load_bundle(flows_copy), renderers=renderer_for)
    assert not result.passed and result.failure is not None and not result.problems
    assert result.failure.mismatches or result.failure.diff


def test_an_outcome_difference_names_the_outcome_line(env, flows_copy):
    edit(flows_copy / "departments.yaml", "    synonyms: [pay my bill, bill, billing, payment, payments, invoice, statement]\n", "")
    edit(flows_copy / "default.yaml", "        department: billing\n", "        department: cards\n")
    result = runner.invoke(app, ["flows", "test", str(flows_copy / "tests" / "01_genuine_caller_keypad.yaml")])
    assert result.exit_code == 1
    line = line_of(flows_copy / "tests" / "01_genuine_caller_keypad.yaml", "  department: billing")
    assert f"01_genuine_caller_keypad.yaml:{line}: the outcome" in result.output
    assert "- department: billing" in result.output and "+ department: cards" in result.output


def test_same_replies_as_shows_a_diff_of_what_each_conversation_heard(env, tmp_path):
    path = write_test(tmp_path / "tests", "parity.yaml", """\
name: two numbers, one mistyped
conversations:
  - name: right number
    turns:
      - send: "1023456781#"
  - name: mistyped number
    same_replies_as: right number
    turns:
      - send: "1023456782#"
""")
    result = runner.invoke(app, ["flows", "test", str(path)])
    assert result.exit_code == 1
    assert "should hear exactly what 'right number' heard" in result.output
    assert "--- right number" in result.output and "+++ mistyped number" in result.output
    assert "-Thank you. Please enter your date of birth" in result.output
    assert "+That number doesn't look right" in result.output


def test_sending_after_the_conversation_ended_is_reported(env, tmp_path):
    path = write_test(tmp_path / "tests", "late.yaml", """\
name: talks after the handoff
turns:
  - send: agent
  - send: "1023456781#"
""")
    result = runner.invoke(app, ["flows", "test", str(path)])
    assert result.exit_code == 1
    assert "late.yaml:4: turn 2" in result.output
    assert "already ended: handed over to general" in result.output


def test_a_malformed_test_file_is_reported_with_file_and_line(env, tmp_path):
    folder = tmp_path / "tests"
    write_test(folder, "bad.yaml", """\
name: typos everywhere
channel: web
turns:
  - send: "1023456781"
    expext: [date of birth]
  - send: silence
  - send: hello
    step: date_of_brith
outcome:
  department: nowhere
  verified: maybe
""")
    write_test(folder, "broken_yaml.yaml", "name: [unclosed\n")
    result = runner.invoke(app, ["flows", "test", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    output = result.output
    assert "bad.yaml:5: unknown field 'expext'" in output
    assert "bad.yaml:6: `silence` is a voice caller saying nothing" in output
    assert "bad.yaml:8: unknown step 'date_of_brith'; did you mean 'date_of_birth'?" in output
    assert "bad.yaml:10: unknown department 'nowhere'; expected one of: account_review, billing" in output
    assert "bad.yaml:11: expected true or false, got 'maybe'" in output
    assert "broken_yaml.yaml:" in output and "not valid YAML" in output
    assert "0 passed, 2 failed" in output


def test_missing_path_and_empty_folder_fail(env, tmp_path):
    missing = runner.invoke(app, ["flows", "test", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such test file or folder" in missing.output
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["flows", "test", str(tmp_path / "empty")])
    assert empty.exit_code == 1 and "no tests found" in empty.output


def test_rejected_inline_customer_names_its_line(env, tmp_path, bundle):
    path = write_test(tmp_path / "tests", "customers.yaml", """\
name: a customer with a bad check digit
customers:
  - customer_number: "1023456781"
    full_name: Alice Walker
    date_of_birth: "1985-03-03"
    postcode: SW1A 1AA
    phone: ""
    email: ""
  - customer_number: "1023456789"
    full_name: Bad Check
    date_of_birth: "1985-03-03"
    postcode: SW1A 1AA
    phone: ""
    email: ""
turns:
  - send: "1023456781#"
""")
    result = run_file(path, bundle, renderers=renderer_for, display_name="customers.yaml")
    assert [str(p) for p in result.problems] == [
        "customers.yaml:9: customer rejected: customer_number is not a valid customer number (checksum)"]


def test_yaml_words_are_read_as_written():
    raw = parse_yaml("send: yes\nsend_zero: 0123\ntime: 12:30\nlist: [no, on]\n", "t.yaml").raw
    assert raw[("send",)] == "yes" and raw[("send_zero",)] == "0123" and raw[("time",)] == "12:30"
    assert raw[("list", 0)] == "no" and raw[("list", 1)] == "on"


def test_read_test_keeps_keypad_entries_and_yes_as_typed(tmp_path, bundle):
    path = write_test(tmp_path, "t.yaml", """\
name: typed values
now: 2025-03-03T10:30:00
turns:
  - send: 0123
  - send: yes
    expect: no
""")
    test = read_test(path, bundle)
    turns = test.conversations[0].turns
    assert [t.send for t in turns] == ["0123", "yes"] and turns[1].expect == ("no",)
    assert test.now.isoformat() == "2025-03-03T10:30:00+00:00"  # no offset: UTC


def test_without_now_a_test_runs_at_a_fixed_moment(tmp_path, bundle):
    from bot.flowtests.spec import DEFAULT_NOW

    path = write_test(tmp_path, "t.yaml", "name: x\nconversations:\n  - turns: [{send: agent}]\n"
                                          "  - now: 2025-04-01T09:00:00+01:00\n    turns: [{send: agent}]\n")
    first, second = read_test(path, bundle).conversations
    assert first.now == DEFAULT_NOW and DEFAULT_NOW.weekday() == 0
    assert second.now.isoformat() == "2025-04-01T09:00:00+01:00"


def test_now_must_be_a_date_and_time(tmp_path, bundle):
    path = write_test(tmp_path, "t.yaml", "name: x\nnow: 2025-03-03\nturns:\n  - send: agent\n")
    with pytest.raises(ConfigError) as caught:
        read_test(path, bundle)
    assert str(caught.value).startswith(f"{path}:2: expected a date and a time")


def test_closest_words_in_a_reply():
    assert closest("postcode", "And please say your post code, or key in") == "post code"
    assert closest("date of birth", "Please say your postcode") is None


def test_a_bot_failure_is_reported_at_the_turn_with_the_traceback_on_request(env, tmp_path, monkeypatch):
    from bot.dialogue import Dialogue

    def broken(self, text, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Dialogue, "send", broken)
    path = write_test(tmp_path / "tests", "crash.yaml", 'name: the engine breaks\nturns:\n  - send: "1023456781#"\n')
    short = runner.invoke(app, ["flows", "test", str(path)])
    assert short.exit_code == 1
    assert 'crash.yaml:3: turn 1, after sending "1023456781#"' in short.output
    assert "+ bot: failed with RuntimeError: boom" in short.output and "Traceback" not in short.output
    verbose = runner.invoke(app, ["flows", "test", "-v", str(path)])
    assert "Traceback (most recent call last)" in verbose.output and "bot: Welcome to Northwind" in verbose.output


def test_conversation_tests_run_without_a_data_key(env, monkeypatch):
    """A supervisor's machine has no production key: the tests' throwaway database gets a throwaway key."""
    from bot import keys

    monkeypatch.delenv("DATA_KEY")
    monkeypatch.setattr(keys, "_installed", None)
    get_settings.cache_clear()
    result = runner.invoke(app, ["flows", "test", str(FLOWS / "tests" / "01_genuine_caller_keypad.yaml")])
    assert result.exit_code == 0, result.output
