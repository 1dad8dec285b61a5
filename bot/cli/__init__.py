"""The `bot` command. Each group of sub-commands lives in its own module."""
from __future__ import annotations

import typer

from bot.cli import customers, db, flows
from bot.cli import numbers
from bot.cli import desk
from bot.cli import report
from bot.cli import audit
from bot.cli import data
from bot.cli.serve import serve
from bot.cli.simulate import simulate

app = typer.Typer(help="Verification front door for contact centres.", no_args_is_help=True, add_completion=False)
app.command()(serve)
app.command()(simulate)
app.add_typer(db.app, name="db")
app.add_typer(customers.app, name="customers")
app.add_typer(flows.app, name="flows")
app.add_typer(numbers.app, name="numbers")
app.add_typer(desk.app, name="desk")
app.add_typer(report.app, name="report")
app.add_typer(audit.app, name="audit")
app.add_typer(data.app, name="data")


def main() -> None:
    from pydantic import ValidationError

    from bot.cli.common import settings_problems
    from bot.keys import DataKeyError

    try:
        app(standalone_mode=True)
    except (ValidationError, DataKeyError) as exc:
        # A setting that is wrong is the operator's to fix: say which and how, not a traceback.
        for line in settings_problems(exc):
            typer.echo(line, err=True)
        raise SystemExit(1) from None
