"""Publishing and rolling back flows while calls are in progress."""
from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.settings import get_settings
from tests.conftest import FLOWS

OLD = "And please say your postcode, or key in your five-digit ZIP code."
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


# Issue 13, finding 9: versions and files must not drift apart.

def test_publish_records_message_and_test_results_and_versions_shows_them(bot_cli, http, edited_flows):
    result = bot_cli("flows", "publish", str(edited_flows), "--message", "shorter postcode question", "--by", "ana")
    assert result.exit_code == 0 and "conversation tests passed" in result.output, result.output
    history = bot_cli("flows", "versions").output.strip().splitlines()
    assert "ana" in history[-1] and "shorter postcode question" in history[-1]
    shipped_tests = len(list((edited_flows / "tests").glob("*.yaml")))
    assert f"tests {shipped_tests} passed" in history[-1] and "tests not run" in history[0]


def test_rollback_to_any_earlier_version_and_diff_and_pull(bot_cli, http, edited_flows, tmp_path, customers):
    from bot.store import flow_versions
    from bot.store.db import transaction

    first = http.get("/readyz").json()["flow_version"]
    assert bot_cli("flows", "publish", str(edited_flows), "--skip-tests").exit_code == 0
    second = http.get("/readyz").json()["flow_version"]
    third_dir = tmp_path / "third"
    shutil.copytree(edited_flows, third_dir)
    (third_dir / "default.yaml").write_text((third_dir / "default.yaml").read_text().replace(NEW, "Postcode, please."))
    assert bot_cli("flows", "publish", str(third_dir), "--skip-tests").exit_code == 0
    rolled = bot_cli("flows", "rollback", first[:6], "--message", "back to the original")
    assert rolled.exit_code == 0, rolled.output
    assert http.get("/readyz").json()["flow_version"] == first
    with transaction(customers) as session:
        rows = flow_versions.history(session)
        assert (rows[-1].action, rows[-1].version, rows[-1].message) == ("rollback", first, "back to the original")
        changes = flow_versions.diff(session, first, second)
    assert [(c.name, c.status) for c in changes] == [("default.yaml", "changed")]
    assert f"-      voice: \"{OLD}\"" in changes[0].lines or any(OLD in l and l.startswith("-") for l in changes[0].lines)
    shown = bot_cli("flows", "diff", first, second)
    assert any(line.startswith("+") and NEW in line for line in shown.output.splitlines()), shown.output
    pulled = tmp_path / "pulled"
    assert bot_cli("flows", "pull", second, str(pulled)).exit_code == 0
    assert NEW in (pulled / "default.yaml").read_text() and (pulled / "lang" / "es.yaml").exists()


def test_make_run_does_not_undo_a_rollback(bot_cli, http, edited_flows):
    before = http.get("/readyz").json()["flow_version"]
    assert bot_cli("flows", "publish", str(edited_flows), "--skip-tests").exit_code == 0
    assert bot_cli("flows", "rollback").exit_code == 0
    # What `make run` runs at every start: the folder still holds the rolled-back version.
    again = bot_cli("flows", "publish", str(edited_flows), "--if-new", "--by", "make run")
    assert again.exit_code == 0 and "stays live" in again.output, again.output
    assert http.get("/readyz").json()["flow_version"] == before


def test_pull_refuses_to_overwrite_unpublished_changes(bot_cli, http, edited_flows):
    live = http.get("/readyz").json()["flow_version"]
    refused = bot_cli("flows", "pull", live, str(edited_flows))
    assert refused.exit_code == 1 and "never published" in refused.output
    assert NEW in (edited_flows / "default.yaml").read_text()
    assert bot_cli("flows", "pull", live, str(edited_flows), "--force").exit_code == 0
    assert OLD in (edited_flows / "default.yaml").read_text()


def test_changing_the_english_greeting_warns_that_the_spanish_is_stale(bot_cli, http, tmp_path):
    """Issue 13, finding 11: the Spanish greeting may no longer say what the English one does."""
    edited = tmp_path / "greeting"
    shutil.copytree(FLOWS, edited)
    text = (edited / "default.yaml").read_text()
    old = "Welcome to Northwind. I can check your details and put you through to the right team."
    (edited / "default.yaml").write_text(text.replace(old, "Welcome to Northwind Bank. How can we help?"))
    line = next(i for i, l in enumerate((edited / "default.yaml").read_text().splitlines(), 1) if "    say:" in l)
    live = http.get("/readyz").json()["flow_version"]
    result = bot_cli("flows", "check", str(edited))
    assert result.exit_code == 0
    assert (f"flows/default.yaml:{line}: warning: this wording changed since version {live} but its translation "
            "in flows/lang/es.yaml did not: check it still says the same") in result.output, result.output
    unchanged = bot_cli("flows", "check", str(FLOWS))
    assert "warning" not in unchanged.output


def test_two_first_starts_at_once_publish_the_flows_once(database_url, monkeypatch):
    """Two hosts start at the same moment on a fresh database: both find nothing published and publish
    FLOWS_DIR. One does; the other serves what it published (on PostgreSQL the second insert of the
    version was a unique-key error that stopped that host starting)."""
    import threading

    from bot.flow_registry import FlowRegistry
    from bot.store import flow_versions
    from bot.store.db import transaction

    real = flow_versions.publish
    arrived = threading.Barrier(2)

    def publish(session, **kwargs):
        try:
            arrived.wait(timeout=2)  # until the other has found nothing published too (if it can get there)
        except threading.BrokenBarrierError:
            pass
        return real(session, **kwargs)

    monkeypatch.setattr(flow_versions, "publish", publish)
    served, errors = [], []

    def start():
        try:
            served.append(FlowRegistry().bootstrap(database_url, FLOWS).version)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(served) == 2 and len(set(served)) == 1
    with transaction(database_url) as session:
        assert [p.version for p in flow_versions.history(session)] == served[:1]
