"""`bot desk status` and `bot desk resend`: chat handoffs waiting for, or refused by, the agent desk."""
from __future__ import annotations

import typer

from bot.cli.common import out
from bot.settings import get_settings

app = typer.Typer(help="Chat handoffs for the agent desk (AGENT_DESK_URL).", no_args_is_help=True)


@app.command("status")
def status() -> None:
    """Count deliveries by status: pending, delivered, dead (dead letters wait for `bot desk resend`)."""
    from sqlalchemy import func, select

    from bot.store.db import transaction
    from bot.store.models import DeskDelivery

    with transaction(get_settings().database_url, read_only=True) as session:
        counts = dict(session.execute(select(DeskDelivery.status, func.count()).group_by(DeskDelivery.status)).all())
    for name in ("pending", "delivered", "dead"):
        out.print(f"{name:<10} {counts.get(name, 0)}")


@app.command("resend")
def resend() -> None:
    """Post every pending and dead delivery again (after a desk outage or a restart); exit 1 if any is still dead."""
    from bot.chat.desk import AgentDesk

    settings = get_settings()
    if not settings.agent_desk_url:
        out.print("AGENT_DESK_URL is not set: nothing can be sent")
        raise typer.Exit(1)
    results = AgentDesk.from_settings(settings).resend()
    dead = sum(1 for result in results.values() if result != "delivered")
    out.print(f"{len(results) - dead} delivered, {dead} still undelivered")
    if dead:
        raise typer.Exit(1)
