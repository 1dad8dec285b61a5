"""`bot report ...` prints the reporting module's figures: a readable table in 80 columns, or the
very CSV and JSON the console exports."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.reporting import funnel, funnel_table
from bot.reporting.funnel import MEASURES
from bot.settings import get_settings
from bot.store.db import transaction
from tests.conftest import ROOT
from tests.reporting.conftest import RECOVERY_PERIOD, SEED_PERIOD  # noqa: F401

RANGE = ["--since", "2026-03-02", "--until", "2026-03-04"]


@pytest.fixture
def bot(seeded, monkeypatch):
    url, _ = seeded
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        return result.output

    yield run
    get_settings.cache_clear()


def test_funnel_table_fits_80_columns_with_whole_headers_and_percentages(bot):
    output = bot("report", "funnel", *RANGE)
    lines = output.splitlines()
    assert lines[0] == "Funnel: 11 conversations, 2026-03-02 to 2026-03-04 (UTC), all channels"
    assert max(len(line) for line in lines if not line.startswith("  ")) <= 80
    header = lines[1].split()
    assert " ".join(header) == "step reached 1st try on retry no input no match ran out hung up"
    # customer_number, marked worst: 11 reached, 8 on the 1st try (73%), 2 on retry (18%) ...
    row = lines.index(next(line for line in lines if line.startswith("customer_number *")))
    assert lines[row].split() == ["customer_number", "*", "11", "8", "2", "1", "1", "0", "1"]
    assert lines[row + 1].split() == ["73%", "18%", "9%", "9%", "0%", "9%"]
    for measure in MEASURES:
        assert f"  {measure.label}: {measure.definition}" in output
    assert "* worst step: customer_number" in output and "(73%)" in output


def test_funnel_csv_and_json_are_the_console_exports(bot, seeded):
    url, _ = seeded
    with transaction(url) as session:
        table = funnel_table(funnel(session, SEED_PERIOD))
    assert bot("report", "funnel", *RANGE, "--format", "csv") == table.to_csv().replace("\r\n", "\n")
    data = json.loads(bot("report", "funnel", *RANGE, "--format", "json"))
    assert data["rows"][1]["step"] == "date_of_birth" and data["rows"][1]["reached"] == 10


def test_channel_filter(bot):
    data = json.loads(bot("report", "funnel", *RANGE, "--channel", "web", "--format", "json"))
    assert [(r["step"], r["reached"], r["on_retry"]) for r in data["rows"]][0] == ("customer_number", 2, 1)
    overview = json.loads(bot("report", "overview", *RANGE, "--channel", "voice", "--format", "json"))
    assert [r["voice"] for r in overview["conversations-per-day"]["rows"]] == [3, 3, 2]


def test_overview_table(bot):
    output = bot("report", "overview", *RANGE)
    assert output.splitlines()[0] == "Overview: 11 conversations, 2026-03-02 to 2026-03-04 (UTC), all channels"
    assert "containment: contained / conversations that are over: 18.2% (2 of 11)" in output
    csv_text = bot("report", "overview", *RANGE, "--format", "csv")
    assert "# verification\nchannel,reached,verified,rate_pct\nall,10,7,70.0\n" in csv_text


def test_variants_without_a_test(bot):
    assert "no A/B test has run in this period" in bot("report", "variants", *RANGE)


def test_a_bad_range_is_a_clear_error(bot):
    result = CliRunner().invoke(cli, ["report", "funnel", "--since", "2026-03-05", "--until", "2026-03-01"])
    assert result.exit_code == 2 and "must come after its start" in result.output


def test_the_readme_uses_the_same_names_and_definitions():
    readme = (ROOT / "README.md").read_text()
    for measure in MEASURES:
        assert f"| {measure.label} | {measure.definition} |" in readme


def test_overview_shows_handoff_outcomes_and_locks_today_within_80_columns(bot):
    output = bot("report", "overview", *RANGE)
    lines = output.splitlines()
    assert max(len(line) for line in lines if not line.startswith("  ")) <= 80
    start = lines.index("How handoffs ended, and the wait")
    # Split by columns to fit: the naming columns repeat in each part.
    first = [line.split() for line in lines[start + 1:start + 6]]
    assert first[0][:5] == ["channel", "department", "handed", "over", "answered"]
    assert first[1][:5] == ["voice", "billing", "2", "1", "50.0"]
    assert first[4][:5] == ["all", "all", "4", "1", "25.0"]
    later = lines[start + 6:]
    waits = next(i for i, line in enumerate(later) if "avg wait (s)" in line)
    assert later[waits + 1].split()[:2] == ["voice", "billing"] and later[waits + 1].split()[-1] == "77.5"
    assert later[waits + 4].split()[-1] == "65.0"
    longest = next(i for i, line in enumerate(later) if "longest wait (s)" in line)
    assert [later[longest + n].split()[-1] for n in range(1, 5)] == ["125", "90", "15", "125"]
    assert "  failed: the line was busy, did not answer, failed or the call was canceled" in output
    assert "Customer numbers recovered by SMS\n  no caller asked to recover their customer number in this period" in output
    # Locks today is today's (the real clock's), whatever the period: none were set in this test.
    assert "Locks today" in output and "day (UTC)" in output


def test_overview_csv_and_json_are_the_console_exports(bot, seeded):
    from bot.reporting import overview, overview_tables

    url, _ = seeded
    with transaction(url) as session:
        tables = overview_tables(overview(session, SEED_PERIOD))
    csv_text = bot("report", "overview", *RANGE, "--format", "csv")
    assert "# handoff-outcomes\n" + tables["handoff-outcomes"].to_csv().replace("\r\n", "\n") in csv_text
    data = json.loads(bot("report", "overview", "--since", "2026-03-02", "--until", "2026-03-02", "--channel", "voice",
                          "--format", "json"))
    assert [(r["department"], r["handed_over"], r["answered"], r["abandoned"], r["not_taken"], r["average_wait_seconds"])
            for r in data["handoff-outcomes"]["rows"]] == [
        ("billing", 2, 1, 0, 0, 77.5), ("cards", 1, 0, 1, 0, 90.0), ("all", 3, 1, 1, 0, 81.7)]
    web = json.loads(bot("report", "overview", *RANGE, "--channel", "web", "--format", "json"))
    assert web["handoff-outcomes"]["rows"] == [] and web["recoveries"]["rows"] == []
    assert set(data) == {"conversations-per-day", "verification", "outcomes", "departments", "handoff-outcomes",
                         "recoveries", "locks-today"}
    assert data["locks-today"]["rows"][0]["locks_set"] == 0


def test_overview_recoveries(recovery_seeded, monkeypatch):
    url, _ = recovery_seeded
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        args = ["report", "overview", "--since", "2026-03-10", "--until", "2026-03-11"]
        result = CliRunner().invoke(cli, [*args, "--format", "json"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)["recoveries"]["rows"]
        assert [(r["channel"], r["attempted"], r["texted"], r["texted_pct"], r["not_matched"], r["unfinished"],
                 r["unavailable"]) for r in rows] == [
            ("all", 5, 2, 40.0, 2, 1, 1), ("voice", 3, 1, 33.3, 1, 1, 0), ("sms", 1, 1, 100.0, 0, 0, 0),
            ("whatsapp", 0, 0, None, 0, 0, 0), ("web", 1, 0, 0.0, 1, 0, 1)]
        sms = CliRunner().invoke(cli, [*args, "--channel", "sms", "--format", "csv"], env={"COLUMNS": "80"})
        assert ("# recoveries\nchannel,attempted,texted,texted_pct,no_phone,no_phone_pct,not_matched,not_matched_pct,"
                "unfinished,unfinished_pct,unavailable\nall,1,1,100.0,0,0.0,0,0.0,0,0.0,0\n") in sms.output
        table = CliRunner().invoke(cli, args, env={"COLUMNS": "80"}).output
        assert "Customer numbers recovered by SMS" in table
        assert "Alice" not in table and "1023456781" not in table and "SW1A" not in table
    finally:
        get_settings.cache_clear()
