"""`bot audit ...`: the audit trail of verification decisions, for auditors."""
from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.settings import get_settings

app = typer.Typer(help="The audit trail of verification decisions (never the answers).", no_args_is_help=True)
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]


class Format(str, enum.Enum):
    csv = "csv"
    json = "json"


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@app.callback()
def audit() -> None:
    """The audit trail of verification decisions."""


@app.command("export")
def export(
    since: Annotated[dt.datetime, typer.Option(help="From this date or time (UTC), inclusive.", formats=DATE_FORMATS)],
    until: Annotated[Optional[dt.datetime], typer.Option(help="Up to this date or time (UTC), exclusive.",
                                                         formats=DATE_FORMATS)] = None,
    format: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.csv,  # noqa: A002
    output: Annotated[Optional[Path], typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Every decision (verified, failed, locked, unlocked) since a date, oldest first; the count goes to stderr."""
    from bot.store.db import transaction
    from bot.verification.audit_export import decisions, write_csv, write_json

    write = write_csv if format is Format.csv else write_json
    with transaction(get_settings().database_url, read_only=True) as session:
        rows = decisions(session, since=_utc(since), until=_utc(until))
        if output is None:
            count = write(rows, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = write(rows, handle)
    typer.echo(f"{count} decisions exported", err=True)
