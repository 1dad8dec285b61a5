"""What the turn benchmarks share: a data key for the run, a database prepared as `make run` prepares
one (migrated, demo customers imported), and the PostgreSQL server to make it on.

Not a benchmark itself (run_all.py skips files starting with "_").
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def data_key() -> str:
    """A data key for this run (answers are sealed at rest; production refuses to start without one).
    Set in the environment, so the servers the benchmark starts use it too."""
    from bot.keys import new_key_text

    os.environ.setdefault("DATA_KEY", new_key_text())
    return os.environ["DATA_KEY"]


def empty_database(kind: str, folder: Path, prefix: str):
    """(url, drop): a fresh database, migrated and empty (a SQLite file in `folder`, or a PostgreSQL
    database created on POSTGRES_URL's server and dropped by `drop`)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.store.db import get_engine, normalise_url
    from bot.store.migrate import upgrade

    if kind == "sqlite":
        url, drop = f"sqlite:///{folder / f'{prefix}-{uuid.uuid4().hex[:6]}.db'}", (lambda: None)
    else:
        admin_url = make_url(normalise_url(POSTGRES_URL))
        name = f"bench_{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            get_engine(url).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    upgrade(url)
    get_engine(url).dispose()
    return url, drop


def prepare_database(kind: str, folder: Path):
    """(url, drop): migrated, demo customers imported, nothing published yet (the server's first start does)."""
    from bot import keys
    from bot.customers.importer import import_customers
    from bot.demo import DEMO_CSV
    from bot.numbering import load_schemes
    from bot.store.db import get_engine, transaction

    keys.install(keys.Keyring(data_key()))
    url, drop = empty_database(kind, folder, "load")
    with transaction(url) as session:
        report = import_customers(session, DEMO_CSV, schemes=load_schemes(ROOT / "flows" / "numbering.yaml"),
                                  region="GB")
    assert report.ok, report.rejected
    get_engine(url).dispose()
    return url, drop


def postgres_available() -> bool:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from bot.store.db import normalise_url

    try:
        engine = create_engine(make_url(normalise_url(POSTGRES_URL)))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False
