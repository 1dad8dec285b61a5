"""`bot db upgrade`: create or migrate the schema with Alembic; running it twice changes nothing."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.store.db import get_engine, normalise_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    # "heads": features add their tables on branches of their own; all of them are applied.
    cfg = alembic_config(url)
    with get_engine(url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


class SchemaNotReady(RuntimeError):
    """The database has no schema, or one older than this code: `bot db upgrade` is needed."""


def schema_problem(url: str) -> str | None:
    """One line saying the schema in `url` is missing or behind the code, or None when it is current."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import make_url

    shown = make_url(normalise_url(url)).render_as_string(hide_password=True)
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    try:
        with get_engine(url).connect() as connection:
            applied = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # cannot even connect: say so in one line too
        return f"cannot open the database {shown} ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
    if not applied:
        return f"the database {shown} has no schema yet: run `bot db upgrade`"
    script = ScriptDirectory.from_config(alembic_config(url))
    reached = {rev.revision for head in applied for rev in script.walk_revisions(base="base", head=head)} | applied
    missing = sorted(heads - reached)
    if missing:
        return f"the database {shown} has an older schema than this version (missing {', '.join(missing)}): run `bot db upgrade`"
    return None


def require_schema(url: str) -> None:
    message = schema_problem(url)
    if message:
        raise SchemaNotReady(message)
