"""`bot users add/list/disable`: accounts from the command line, audited; passwords only as Argon2id hashes."""
from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.store.db import transaction
from bot.store.models import ConsoleAuditEntry, ConsoleUser
from bot.store.migrate import upgrade


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_add_list_disable(cli_env):
    upgrade(cli_env)
    added = run("users", "add", "Ada", "--role", "admin", "--password-stdin", input="correct horse battery\n")
    assert added.exit_code == 0, added.output
    assert "ada: added as admin" in added.output
    prompted = run("users", "add", "sam", "--role", "supervisor", input="tulip marble lantern\ntulip marble lantern\n")
    assert prompted.exit_code == 0, prompted.output
    listing = run("users", "list").output.splitlines()
    assert [line.split()[:3] for line in listing] == [["ada", "admin", "active"], ["sam", "supervisor", "active"]]
    assert run("users", "disable", "sam").exit_code == 0
    assert run("users", "list").output.splitlines()[1].split()[:3] == ["sam", "supervisor", "disabled"]
    with transaction(cli_env) as session:
        stored = session.scalar(select(ConsoleUser.password_hash).where(ConsoleUser.username == "ada"))
        actions = [(e.action, e.target) for e in session.scalars(select(ConsoleAuditEntry).order_by(ConsoleAuditEntry.id))]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert actions == [("user-add", "ada"), ("user-add", "sam"), ("user-disable", "sam")]


def test_refusals(cli_env):
    upgrade(cli_env)
    short = run("users", "add", "ada", "--role", "admin", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert run("users", "add", "ada", "--role", "admin", "--password-stdin", input="correct horse battery\n").exit_code == 0
    again = run("users", "add", "ADA", "--role", "admin", "--password-stdin", input="another long password\n")
    assert again.exit_code == 1 and "already exists" in again.output
    bad = run("users", "add", "x y", "--role", "admin", "--password-stdin", input="another long password\n")
    assert bad.exit_code == 1 and "a username is 2 to 40 characters" in bad.output
    assert run("users", "add", "bob", "--role", "root", "--password-stdin", input="x" * 20 + "\n").exit_code == 2
    assert run("users", "disable", "nobody").exit_code == 1
