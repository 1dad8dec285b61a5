"""The `bot` command as other tools call it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from bot.cli import app
from bot.store.db import get_engine, transaction
from bot.store.models import Customer
from tests.conftest import DEMO_CSV, FLOWS

runner = CliRunner()


@pytest.fixture
def env(cli_env):
    return cli_env


def test_db_upgrade_is_idempotent(env):
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
    tables = set(inspect(get_engine(env)).get_table_names())
    assert {"customers", "conversations", "events", "failed_attempts", "alembic_version"} <= tables


def test_customers_import_exit_status(env, tmp_path):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    ok = runner.invoke(app, ["customers", "import", str(DEMO_CSV)])
    assert ok.exit_code == 0, ok.output
    assert "4 created" in ok.output
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(DEMO_CSV.read_text().splitlines()[0] + "\n"
                     "1023456781,Alice Walker,1985-03-03,SW1A 1AA,,,,\n"
                     "1023456789,Bad Check,1985-03-03,SW1A 1AA,,,,\n")
    result = runner.invoke(app, ["customers", "import", str(mixed)])
    assert result.exit_code == 1
    assert f"{mixed}:3: rejected: customer_number" in result.output
    assert "1 updated" in result.output
    with transaction(env) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 4


def test_flows_check(env, tmp_path):
    assert runner.invoke(app, ["flows", "check"]).exit_code == 0
    broken = tmp_path / "flows"
    broken.mkdir()
    for path in FLOWS.glob("*.yaml"):
        (broken / path.name).write_text(path.read_text())
    (broken / "default.yaml").write_text((FLOWS / "default.yaml").read_text().replace("on_fail: to_general", "on_fail: nowhere", 1))
    result = runner.invoke(app, ["flows", "check", str(broken)])
    assert result.exit_code == 1
    assert "default.yaml:" in result.output and "nowhere" in result.output


# Issue 13, finding 11: a missing or older schema is one line naming the database, for every command.

@pytest.mark.parametrize("command", [
    ["serve"], ["customers", "import", str(DEMO_CSV)], ["numbers", "issue", "--prefix", "10"],
    ["report", "funnel"], ["flows", "versions"], ["flows", "publish"], ["audit", "export", "--since", "2026-01-01"],
    ["desk", "status"],
])
def test_a_database_without_a_schema_is_one_line(env, command):
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"the database {env} has no schema yet: run `bot db upgrade`", result.output


def test_an_older_schema_says_what_is_missing(env):
    from bot.store.migrate import upgrade
    upgrade(env, "0004_flows")
    result = runner.invoke(app, ["flows", "versions"])
    assert result.exit_code == 1
    line = result.output.strip()
    assert line.startswith(f"the database {env} has an older schema than this version (missing ") and "0008_flow_history" in line
    assert line.endswith("run `bot db upgrade`") and "\n" not in line


def test_the_password_is_masked(env, monkeypatch):
    from bot.settings import get_settings
    monkeypatch.setenv("DATABASE_URL", "postgresql://frontdoor:s3cret@127.0.0.1:5432/no_such_database_here")
    get_settings.cache_clear()
    result = runner.invoke(app, ["report", "funnel"])
    assert result.exit_code == 1 and "s3cret" not in result.output and "frontdoor:***@" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_flows_explain_shows_how_an_utterance_is_scored(env):
    result = runner.invoke(app, ["flows", "explain", "someone used my card"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "menu main_menu, threshold 80; heard: someone used my card"
    assert lines[1].split()[:2] == ["fraud", "100.0"] and "'someone used my card' (4 words)" in lines[1]
    assert lines[-1] == "-> fraud: the most specific match ('someone used my card')"


def test_the_shipped_fraud_synonyms_route_through_the_menu(bundle):
    from tests.engine.test_runner import Conversation
    for said in ("someone used my card", "there is an unauthorised payment", "I want to report fraud"):
        convo = Conversation(bundle)
        convo.send("digits", "1023456781#")
        convo.send("digits", "03031985")
        convo.send("speech", "SW1A 1AA")
        assert convo.send("speech", said).handoff.department == "fraud", said
