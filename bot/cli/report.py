"""`bot report ...`: how callers fare, for supervisors."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer
from rich.table import Table

from bot.cli.common import out
from bot.settings import get_settings

app = typer.Typer(help="How callers fare: the funnel per step, A/B variants compared.", no_args_is_help=True)

SinceOption = Annotated[Optional[dt.datetime], typer.Option(help="From this date or time (UTC); default: the last 7 days.",
                                                            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])]


def _since(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@app.command("funnel")
def funnel(since: SinceOption = None) -> None:
    """Per step: conversations that reached it and what happened there."""
    from bot.reports import FUNNEL_OUTCOMES, conversations_since, funnel as build
    from bot.store.db import transaction

    start = _since(since)
    with transaction(get_settings().database_url, read_only=True) as session:
        rows = build(session, since=start)
        total = conversations_since(session, since=start)
    table = Table(title=f"{total} conversations since {start:%Y-%m-%d %H:%M} UTC")
    table.add_column("step", no_wrap=True)
    table.add_column("reached", justify="right")
    for outcome in FUNNEL_OUTCOMES:
        table.add_column(outcome, justify="right")
    for row in rows:
        table.add_row(row.step, str(row.conversations), *(str(row.outcomes[o]) for o in FUNNEL_OUTCOMES))
    out.print(table)


@app.command("variants")
def variants(since: SinceOption = None) -> None:
    """A/B tests of prompt wording: how each variant's callers fared."""
    from bot.reports import variants as build
    from bot.store.db import transaction

    start = _since(since)
    with transaction(get_settings().database_url, read_only=True) as session:
        rows = build(session, since=start)
    if not rows:
        out.print("no A/B test has run in this period")
        return
    # One line per variant (not a table): test names stay whole and the output greps well.
    out.print(f"A/B variants since {start:%Y-%m-%d %H:%M} UTC", highlight=False)
    for row in rows:
        figures = ", ".join(f"{label} {n} ({row.share(n):.0%})" for label, n in (
            ("verified", row.verified), ("attempts ran out", row.exhausted), ("hung up", row.hung_up), ("routed", row.routed)))
        out.print(f"{row.test}  variant {row.variant}: {row.conversations} conversations; {figures}",
                  highlight=False, soft_wrap=True)
