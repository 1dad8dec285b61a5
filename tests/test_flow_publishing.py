"""Publishing and rolling back flows while calls are in progress."""
from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.settings import get_settings
from tests.conftest import FLOWS

OLD = "And please say your postcode, or key in your ZIP code."
NEW = "Last question: what is your postcode?"
runner = CliRunner()


@pytest.fixture
def bot_cli(customers, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", customers)
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield lambda *args: runner.invoke(cli, list(args))
    get_settings.cache_clear()


@pytest.fixture
def edited_flows(tmp_path):
    copy = tmp_path / "edited"
    shutil.copytree(FLOWS, copy)
    text = (copy / "default.yaml").read_text()
    assert OLD in text
    (copy / "default.yaml").write_text(text.replace(OLD, NEW))
    return copy


def up_to_postcode(call):
    call.press("1023456781#")
    call.press("03031985")
    return call.last


def test_publish_while_a_call_is_in_progress_then_roll_back(phone, http, bot_cli, edited_flows):
    before = http.get("/readyz").json()["flow_version"]
    in_flight = phone().dial()
    in_flight.press("1023456781#")

    published = bot_cli("flows", "publish", str(edited_flows))
    assert published.exit_code == 0, published.output
    after = http.get("/readyz").json()["flow_version"]
    assert after != before and after in published.output

    # The call that started before finishes on the version it started with.
    in_flight.press("03031985")
    assert OLD in in_flight.last
    in_flight.say("SW1A 1AA")
    assert "you're verified" in in_flight.last

    # A new call gets the new wording, without a restart.
    assert NEW in up_to_postcode(phone().dial())

    rolled = bot_cli("flows", "rollback")
    assert rolled.exit_code == 0 and before in rolled.output
    assert http.get("/readyz").json()["flow_version"] == before
    assert OLD in up_to_postcode(phone().dial())

    history = bot_cli("flows", "versions")
    assert [line.split()[2] for line in history.output.strip().splitlines()] == ["publish", "publish", "rollback"]


def test_a_flow_that_fails_validation_is_never_published(phone, http, bot_cli, edited_flows):
    before = http.get("/readyz").json()["flow_version"]
    broken = (edited_flows / "default.yaml").read_text().replace("type: verify", "type: verifyy")
    (edited_flows / "default.yaml").write_text(broken)
    result = bot_cli("flows", "publish", str(edited_flows))
    assert result.exit_code == 1
    assert "default.yaml:" in result.output and "verifyy" in result.output
    assert http.get("/readyz").json()["flow_version"] == before
    assert OLD in up_to_postcode(phone().dial())


def test_rollback_with_nothing_before_is_refused(bot_cli, http):
    result = bot_cli("flows", "rollback")
    assert result.exit_code == 1 and "no earlier published version" in result.output


def test_publishing_the_live_version_again_changes_nothing(bot_cli, http):
    assert "already live" in bot_cli("flows", "publish").output


def test_a_change_that_breaks_its_own_conversation_tests_is_not_published(http, bot_cli, edited_flows):
    before = http.get("/readyz").json()["flow_version"]
    text = (edited_flows / "default.yaml").read_text()
    (edited_flows / "default.yaml").write_text(text.replace("don't match our records", "do not agree with our files"))
    result = bot_cli("flows", "publish", str(edited_flows))
    assert result.exit_code == 1, result.output
    assert "not published" in result.output and "don't match our records" in result.output
    assert http.get("/readyz").json()["flow_version"] == before
    forced = bot_cli("flows", "publish", str(edited_flows), "--skip-tests")
    assert forced.exit_code == 0 and http.get("/readyz").json()["flow_version"] != before
