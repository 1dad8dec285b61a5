"""The `bot` command. Each group of sub-commands lives in its own module."""
from __future__ import annotations

import typer
from typer.core import TyperGroup

from bot.cli import customers, db, flows
from bot.cli import numbers
from bot.cli import desk
from bot.cli import report
from bot.cli import audit
from bot.cli import users
from bot.cli import data
from bot.cli.serve import serve
from bot.cli.simulate import simulate

# Commands that never open the database.
WITHOUT_DATABASE = {("db", "upgrade"), ("flows", "check"), ("flows", "test"), ("flows", "explain"),
                    ("numbers", "validate"), ("numbers", "analyze"), ("data", "key")}


class _Commands(TyperGroup):
    """Every command that uses the database first checks its schema, here once for all of them:
    a missing or older schema is one line naming the database (password masked) and `bot db upgrade`,
    never an SQL traceback."""

    def invoke(self, ctx):
        from pydantic import ValidationError
        from sqlalchemy.exc import DBAPIError

        from bot import keys
        from bot.cli.common import settings_problems
        from bot.settings import get_settings
        from bot.store.migrate import SchemaNotReady, require_schema, schema_problem

        given = [*getattr(ctx, "protected_args", getattr(ctx, "_protected_args", [])), *ctx.args]
        words = [w for w in given if not w.startswith("-")][:2]
        needs_database = words and tuple(words) not in WITHOUT_DATABASE and not {"--help", "-h"} & set(given)
        try:
            if needs_database and words[0] in self.commands:
                # Configuration first (settings, then the data key), then the schema: fix what the
                # operator set before what `bot db upgrade` would fix.
                settings = get_settings()
                keys.from_settings(settings)
                require_schema(settings.database_url)
            return super().invoke(ctx)
        except (ValidationError, keys.DataKeyError) as exc:
            for line in settings_problems(exc):
                typer.echo(line, err=True)
            raise typer.Exit(1)
        except SchemaNotReady as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1)
        except DBAPIError:
            message = schema_problem(_database_url())
            if message is None:
                raise
            typer.echo(message, err=True)
            raise typer.Exit(1)


def _database_url() -> str:
    from bot.settings import get_settings

    return get_settings().database_url


app = typer.Typer(help="Verification front door for contact centres.", no_args_is_help=True, add_completion=False,
                  cls=_Commands)
app.command()(serve)
app.command()(simulate)
app.add_typer(db.app, name="db")
app.add_typer(customers.app, name="customers")
app.add_typer(flows.app, name="flows")
app.add_typer(numbers.app, name="numbers")
app.add_typer(desk.app, name="desk")
app.add_typer(report.app, name="report")
app.add_typer(audit.app, name="audit")
app.add_typer(users.app, name="users")
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
