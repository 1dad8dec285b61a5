"""`bot data ...`: the data key, re-sealing after a rotation, and deleting what is past retention."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from bot.cli.common import bundle_or_exit, out, settings_or_exit

app = typer.Typer(help="Data at rest: keys, re-sealing, retention.", no_args_is_help=True)


@app.command("key")
def new_key() -> None:
    """Print a new random data key, for DATA_KEY (keep it secret, and keep it: what it seals opens only with it)."""
    from bot.keys import new_key_text

    typer.echo(new_key_text())


@app.command("rekey")
def rekey() -> None:
    """Seal every stored answer and PIN hash again under the current DATA_KEY (after a rotation, or an upgrade)."""
    from bot import keys
    from bot.store.db import transaction
    from bot.store.rekey import rekey as run_rekey

    settings = settings_or_exit()
    keyring = keys.install(keys.from_settings(settings))
    with transaction(settings.database_url) as session:
        done = run_rekey(session, keyring)
    for table, count in done.items():
        out.print(f"{table}: {count} row(s) sealed under key {keyring.current.id}")


@app.command("purge")
def purge(
    days: Annotated[Optional[int], typer.Option("--days", min=1, help="Keep this many days (default RETENTION_DAYS).")] = None,
) -> None:
    """Delete conversations, transcripts and chat rows older than the retention; the audit trail stays."""
    from bot.store.db import transaction
    from bot.store.models import utcnow
    from bot.store.retention import purge as run_purge

    settings = settings_or_exit()
    keep = days or settings.retention_days
    window = bundle_or_exit(settings).lockout.window_hours
    with transaction(settings.database_url) as session:
        deleted = run_purge(session, now=utcnow(), days=keep, lockout_window_hours=window)
    out.print(f"kept the last {keep} day(s); deleted: "
              + ", ".join(f"{table} {count}" for table, count in deleted.items()), highlight=False)
