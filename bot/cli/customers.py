"""`bot customers ...`: the customer directory."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import bundle_or_exit, out
from bot.settings import get_settings

app = typer.Typer(help="The customer directory.", no_args_is_help=True)


@app.command("import")
def import_csv(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]) -> None:
    """Upsert customers from a CSV; bad rows are reported by line and skipped; exit 1 if any was rejected."""
    from bot.customers.importer import import_customers
    from bot.store.db import transaction

    settings = get_settings()
    bundle = bundle_or_exit(settings)
    with transaction(settings.database_url) as session:
        report = import_customers(session, file, schemes=bundle.schemes, region=settings.default_region)
    for line, reason in report.rejected:
        typer.echo(f"{file}:{line}: rejected: {reason}", err=True)
    out.print(f"{report.created} created, {report.updated} updated, {len(report.rejected)} rejected")
    if report.rejected:
        raise typer.Exit(1)
