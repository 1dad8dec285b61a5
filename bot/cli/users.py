"""`bot users ...`: accounts for the supervisors' console (/console)."""
from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from bot.cli.common import out
from bot.settings import get_settings

app = typer.Typer(help="Console accounts: supervisors and admins.", no_args_is_help=True)


class Role(str, Enum):
    supervisor = "supervisor"
    admin = "admin"


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="The username (2-40: a-z, 0-9, '.', '_', '-').")],
        role: Annotated[Role, typer.Option("--role", help="supervisor: reports, queues; admin: also users and unlocks.")],
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False) -> None:
    """Create an account. The password is asked twice (hidden), or read from standard input."""
    from bot.console import users
    from bot.console.passwords import WeakPassword
    from bot.store.db import transaction

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(get_settings().database_url) as session:
            user = users.add(session, username=name, role=role.value, password=password, by=_actor())
            created = (user.username, user.role)
    except (users.UserError, WeakPassword) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    out.print(f"{created[0]}: added as {created[1]}; sign in at /console/login", highlight=False)


@app.command("list")
def list_users() -> None:
    """Every account: role, active or disabled, last sign-in (UTC)."""
    from bot.console import users
    from bot.store.db import transaction

    with transaction(get_settings().database_url) as session:
        rows = [(u.username, u.role, "active" if u.active else "disabled",
                 f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never") for u in users.listing(session)]
    if not rows:
        out.print("no console users yet: bot users add NAME --role admin", highlight=False)
    for name, role, status, last in rows:
        out.print(f"{name:<24} {role:<10} {status:<8} last sign-in {last}", highlight=False)


def _set(name: str, active: bool) -> None:
    from bot.console import users
    from bot.store.db import transaction

    try:
        with transaction(get_settings().database_url) as session:
            users.set_active(session, username=name, active=active, by=_actor())
    except users.UserError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    out.print(f"{users.normalise(name)}: {'enabled' if active else 'disabled (signed out everywhere)'}", highlight=False)


@app.command("disable")
def disable(name: str) -> None:
    """Disable an account: it can no longer sign in, and its sessions end now."""
    _set(name, False)


@app.command("enable")
def enable(name: str) -> None:
    """Enable a disabled account again."""
    _set(name, True)
