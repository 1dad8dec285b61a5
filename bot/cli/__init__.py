"""The `bot` command. Each group of sub-commands lives in its own module."""
from __future__ import annotations

import typer

from bot.cli import customers, db, flows
from bot.cli import numbers
from bot.cli.serve import serve

app = typer.Typer(help="Verification front door for contact centres.", no_args_is_help=True, add_completion=False)
app.command()(serve)
app.add_typer(db.app, name="db")
app.add_typer(customers.app, name="customers")
app.add_typer(flows.app, name="flows")
app.add_typer(numbers.app, name="numbers")


def main() -> None:
    app()
