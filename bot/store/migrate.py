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
