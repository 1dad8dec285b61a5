"""`bot db upgrade`."""
from __future__ import annotations

import typer

from bot.cli.common import out, safe_url
from bot.settings import get_settings

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the schema in DATABASE_URL (safe to run again)."""
    from bot.store.migrate import upgrade as run_upgrade

    settings = get_settings()
    run_upgrade(settings.database_url)
    out.print(f"database schema is up to date ({safe_url(settings.database_url)})")
