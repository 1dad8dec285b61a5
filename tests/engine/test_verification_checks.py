"""policy.yaml checked against the flow, the departments and the configuration when flows load:
a flow that needs Twilio Verify without it, or that could hand a caller to a department without
what it requires, fails `bot flows check` (and start-up), never a live call."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.engine.bundle import bundle_from_texts
from bot.settings import get_settings
from bot.yaml_source import ConfigError
from tests.fake_verify import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.verification import variants

runner = CliRunner()


def problems(texts, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as info:
        bundle_from_texts(texts, **kwargs)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line and not line.lstrip().startswith("#"))


def test_a_step_up_flow_loads_with_verify_configured():
    bundle = bundle_from_texts(variants.step_up(), one_time_codes=True)
    assert bundle.policy.requirements == {"billing": ("one_time_code",)}
    assert bundle.flow.steps["to_department"].get("step_up") == "step_up_code"


def test_without_verify_the_requirement_and_the_code_step_are_reported_where_they_are():
    texts = variants.step_up()
    found = problems(texts)
    policy_line = line_of(texts["policy.yaml"], "require: [one_time_code]")
    step_line = line_of(texts["default.yaml"], "type: one_time_code")
    assert sorted(found) == sorted([
        f"flows/policy.yaml:{policy_line}: one_time_code needs Twilio Verify: set TWILIO_VERIFY_SERVICE_SID "
        "(with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN), or remove it",
        f"flows/default.yaml:{step_line}: a one_time_code step needs Twilio Verify: set TWILIO_VERIFY_SERVICE_SID "
        "(with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN), or remove it",
    ])


def test_a_handoff_that_may_reach_the_department_must_step_up():
    texts = variants.step_up()
    # account_suspended hands over to account_review directly, without a step-up.
    texts["policy.yaml"] = texts["policy.yaml"].replace("departments:\n  billing:\n",
                                                        "departments:\n  account_review:\n    require: [one_time_code]\n  billing:\n")
    found = problems(texts, one_time_codes=True)
    line = line_of(texts["default.yaml"], "account_suspended:")
    assert found == [f"flows/default.yaml:{line}: may hand over to account_review, which policy.yaml says requires "
                     "a one-time code: add `step_up:` naming a one_time_code step"]


def test_step_up_must_go_to_a_code_step():
    texts = variants.step_up()
    texts["default.yaml"] = texts["default.yaml"].replace("    step_up: step_up_code\n", "    step_up: to_general\n")
    # The code step still reachable (from the menu), so only the step_up mistake is reported.
    texts["default.yaml"] = texts["default.yaml"].replace("    on_fail: to_account_team\n", "    on_fail: step_up_code\n")
    texts["default.yaml"] = texts["default.yaml"].replace("    next: to_department\n    on_fail: to_general\n",
                                                          "    next: to_department\n    on_fail: to_account_team\n")
    found = problems(texts, one_time_codes=True)
    assert any("step_up goes to 'to_general', a handoff step; expected a one_time_code step" in p for p in found), found


def test_requirements_name_real_departments_and_obtainable_factors():
    texts = variants.step_up()
    texts["policy.yaml"] = texts["policy.yaml"].replace("  billing:\n    require: [one_time_code]",
                                                        "  payroll:\n    require: [one_time_code]\n"
                                                        "  cards:\n    require: [pin]")
    found = problems(texts, one_time_codes=True)
    assert any("unknown department 'payroll'" in p for p in found), found
    assert any("cards requires pin, but no step in the flow asks for it" in p for p in found), found


def test_a_policy_the_flow_can_never_pass_is_reported_at_the_verify_step():
    texts = variants.policy(variants.shipped(), "all_of: [date_of_birth, pin]")
    found = problems(texts)
    line = line_of(texts["default.yaml"], "policy: default")
    assert any(f"default.yaml:{line}:" in p and "can never pass: no step asks for pin" in p for p in found), found


def test_a_code_in_a_policy_needs_verify_too():
    texts = variants.policy(variants.step_up(), "all_of: [date_of_birth, one_time_code]")
    found = problems(texts)
    assert any("policy.yaml" in p and "one_time_code needs Twilio Verify" in p for p in found), found


def test_a_pin_is_never_read_back():
    texts = variants.ask_after_postcode(variants.shipped(), "pin", "Please enter your PIN.")
    texts["default.yaml"] = texts["default.yaml"].replace("    factor: pin\n", "    factor: pin\n    confirm: \"Was that {pin}?\"\n")
    assert any("a pin is never read back" in p for p in problems(texts))


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("TWILIO_VERIFY_SERVICE_SID", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_bot_flows_check_fails_without_verify_and_passes_with_it(env, tmp_path):
    directory = variants.write(tmp_path / "flows", variants.step_up())
    result = runner.invoke(app, ["flows", "check", str(directory)])
    assert result.exit_code == 1
    assert "needs Twilio Verify" in result.output and "policy.yaml:" in result.output
    env.setenv("TWILIO_VERIFY_SERVICE_SID", SERVICE_SID)
    env.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    env.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    get_settings.cache_clear()
    result = runner.invoke(app, ["flows", "check", str(directory)])
    assert result.exit_code == 0, result.output
    assert "flows OK" in result.output


def test_the_server_refuses_to_start_on_such_a_flow(tmp_path, sqlite_url):
    from tests.conftest import make_settings
    from webhooks.app import create_app

    directory = variants.write(tmp_path / "flows", variants.step_up())
    with pytest.raises(ConfigError, match="needs Twilio Verify"):
        create_app(make_settings(sqlite_url, flows_dir=directory))
