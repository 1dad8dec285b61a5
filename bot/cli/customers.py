"""`bot customers ...`: the customer directory."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

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

    def rejected(line: int, reason: str) -> None:
        typer.echo(f"{file}:{line}: rejected: {reason}", err=True)  # as found: a large file is never held in memory

    with transaction(settings.database_url) as session:
        report = import_customers(session, file, schemes=bundle.schemes, region=settings.default_region,
                                  on_reject=rejected)
    out.print(f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
              f"{report.rejected_count} rejected")
    if not report.ok:
        raise typer.Exit(1)


@app.command("unlock")
def unlock_number(
    number: Annotated[str, typer.Argument(help="The customer number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit record (no personal details).")],
    by: Annotated[Optional[str], typer.Option("--by", help="Who unlocks (default: your login name).")] = None,
) -> None:
    """Clear a number's lockout (failures before now stop counting), with an audit record."""
    import getpass

    from bot.logging_setup import mask
    from bot.numbering import NumberError
    from bot.store.db import transaction
    from bot.verification.lockout import unlock

    settings = get_settings()
    schemes = bundle_or_exit(settings).schemes
    try:
        compact = schemes.validate(number).number
    except NumberError as exc:
        typer.echo(f"not a valid customer number ({getattr(exc, 'kind', 'invalid')})", err=True)
        raise typer.Exit(1) from None
    reason = " ".join(reason.split())
    if not reason or len(reason) > 200:
        typer.echo("--reason is required, at most 200 characters", err=True)
        raise typer.Exit(1)
    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):  # no login name in some containers
            by = "unknown"
    with transaction(settings.database_url) as session:
        cleared = unlock(session, compact, by=by, reason=reason)
    typer.echo(f"{mask(compact)}: unlocked ({cleared} open lock{'s' if cleared != 1 else ''} cleared); "
               "earlier failed attempts no longer count")
