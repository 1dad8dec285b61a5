"""`bot numbers ...` as operators and scripts call it: stdout is data, stderr is for people."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.numbering import load_schemes
from bot.store.db import transaction
from bot.store.models import Customer, IssuedNumber, NumberStatusChange
from tests.conftest import DEMO_CSV

runner = CliRunner()


@pytest.fixture
def env(cli_env):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return cli_env


def bot(*args: str):
    return runner.invoke(app, ["numbers", *args])


def test_issue_prints_only_the_numbers_one_per_line(env):
    result = bot("issue", "--prefix", "20", "--count", "250")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    schemes = load_schemes()
    assert len(lines) == len(set(lines)) == 250
    assert all(schemes.is_valid(line) and line == schemes.compact(line) and line.startswith("20") for line in lines)
    assert "issued 250 customer numbers under prefix 20" in result.stderr
    assert "issued" not in result.stdout
    with transaction(env) as session:
        assert set(session.scalars(select(IssuedNumber.number))) == set(lines)


def test_issue_refuses_a_missing_or_unknown_prefix_or_scheme(env):
    for args, message in ((["--count", "2"], "required"), (["--prefix", "99"], "'99' is not a prefix"),
                          (["--prefix", "10", "--scheme", "legacy"], "no scheme 'legacy'")):
        result = bot("issue", *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == ""
        assert message in result.stderr, result.stderr
    with transaction(env) as session:
        assert session.scalar(select(func.count()).select_from(IssuedNumber)) == 0


def test_validate_says_valid_or_why_not(env):
    result = bot("validate", "1012345679", "10 1234 5679", "1012345670", "102345678", "5012345678", "10123A5679")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "1012345679: valid",
        "10 1234 5679: valid",
        "1012345670: invalid (the check character does not match: a character is probably mistyped or swapped)",
        "102345678: invalid (it has 9 characters; a customer number has 10)",
        "5012345678: invalid (no customer number starts with 50; they start with 10, 20 or 30)",
        "10123A5679: invalid ('A' cannot be character 6 of a customer number; a digit goes there)",
    ]
    assert bot("validate", "1012345679", "2012345678").exit_code == 0


def test_validate_checks_issued_numbers(env):
    issued = bot("issue", "--prefix", "30", "--count", "20").stdout.split()
    result = bot("validate", *issued)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"{n}: valid" for n in issued]


def test_status_changes_are_audited_and_reach_the_customer(env, tmp_path):
    csv = tmp_path / "bob.csv"
    csv.write_text(DEMO_CSV.read_text().splitlines()[0] + "\n2076543213,Robert Jones,1972-11-25,90210,,,business,active\n")
    assert runner.invoke(app, ["customers", "import", str(csv)]).exit_code == 0
    number = bot("issue", "--prefix", "10").stdout.strip()
    result = bot("status", number, "suspended", "--reason", "card reported stolen", "--by", "ops")
    assert (result.exit_code, result.stdout) == (0, f"{number}: active -> suspended\n")
    again = bot("status", number, "suspended", "--reason", "again", "--by", "ops")
    assert (again.exit_code, again.stdout) == (0, f"{number}: already suspended; nothing changed\n")
    closed = bot("status", "2076 5432 13", "closed", "--reason", "customer left", "--by", "ops")
    assert (closed.exit_code, closed.stdout) == (0, "2076543213: active -> closed\n")
    reopen = bot("status", "2076543213", "active", "--reason", "oops", "--by", "ops")
    assert reopen.exit_code == 1 and "stays closed" in reopen.stderr and reopen.stdout == ""
    unknown = bot("status", "1055500026", "closed", "--reason", "x")
    assert unknown.exit_code == 1 and "no such number" in unknown.stderr
    assert bot("status", number, "frozen", "--reason", "x").exit_code == 2
    assert bot("status", number, "closed").exit_code == 2  # --reason is required
    with transaction(env) as session:
        audit = [(a.number, a.old, a.new, a.reason, a.changed_by)
                 for a in session.scalars(select(NumberStatusChange).order_by(NumberStatusChange.id))]
        bob = session.scalar(select(Customer).where(Customer.customer_number == "2076543213"))
    assert audit == [(number, "active", "suspended", "card reported stolen", "ops"),
                     ("2076543213", "active", "closed", "customer left", "ops")]
    assert bob.status == "closed"


def test_analyze_prints_a_table_per_error_kind(env):
    result = bot("analyze", "--sample", "200")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Scheme `customer`" in lines[0] and "200 random valid numbers" in lines[0]
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in lines if line.startswith("| ") and "---" not in line}
    assert set(rows) >= {"single substitution", "adjacent transposition", "twin error aa->bb",
                         "jump transposition abc->cba", "keypad neighbour slip"}
    # Damm: every single substitution and adjacent swap is caught; some twin errors are not.
    assert rows["single substitution"][3] == "100%" and rows["adjacent transposition"][3] == "100%"
    assert rows["twin error aa->bb"][3] != "100%"


def test_analyze_the_algorithms(env):
    result = bot("analyze", "--algorithms", "--sample", "100")
    assert result.exit_code == 0, result.output
    luhn = next(line for line in result.stdout.splitlines() if "(`luhn`)" in line)
    assert luhn.rstrip(" |").split(" | ")[-2] == "0.00%"  # Luhn misses every jump transposition
    assert "(`iso7064_mod_37_36`) | 1 x 0-9A-Z |" in result.stdout


def test_a_share_short_of_everything_is_never_shown_as_100_percent():
    from bot.cli.numbers_report import percent

    assert [percent(1.0), percent(0.99996), percent(0.9777), percent(0.0)] == ["100%", "99.99%", "97.77%", "0.00%"]
