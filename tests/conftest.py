"""Shared fixtures: a migrated database (SQLite, and PostgreSQL for tests that take `database_url`),
the app as Twilio sees it, and a phone that calls it."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.engine.bundle import load_bundle
from bot.settings import Settings
from bot.store.db import get_engine, normalise_url, transaction
from bot.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
FLOWS = ROOT / "flows"
DEMO_CSV = ROOT / "data" / "demo_customers.csv"
TOKEN = "test-auth-token-0123456789"
BASE_URL = "https://frontdoor.example.com"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TABLES = ("callback_requests", "voicemails", "flow_publications", "flow_versions", "events", "conversations", "customers", "failed_attempts", "locks", "verification_decisions",
          "chat_threads", "chat_sessions", "chat_messages", "rate_limit_hits", "desk_deliveries",
          "issued_numbers", "number_status_changes",
          "console_sessions", "console_users", "console_login_failures", "console_audit",
          "processed_messages", "handoff_outcomes")

# The data key every test runs with (answers are sealed with it; see bot.keys).
DATA_KEY = "test-data-key-0123456789abcdefghijklmnop"


@pytest.fixture(scope="session", autouse=True)
def session_data_key():
    """Module-scoped fixtures (a database imported once for a module) run before `data_key`: the key is
    there for them too, whatever order the tests run in."""
    from bot import keys

    keys.install(keys.Keyring(DATA_KEY))
    yield DATA_KEY


@pytest.fixture(autouse=True)
def data_key(monkeypatch):
    """Every test, and every `bot` command a test runs, has a data key, as production must."""
    from bot import keys

    monkeypatch.setenv("DATA_KEY", DATA_KEY)
    previous = keys._installed
    keys.install(keys.Keyring(DATA_KEY))
    yield DATA_KEY
    keys._installed = previous


@pytest.fixture(autouse=True)
def no_database_work_on_the_event_loop():
    """Every test: a statement executed on a thread that runs an event loop would hold up every other
    call, /healthz and /metrics while it waits (async handlers hand database work to the thread pool)."""
    import asyncio
    import threading
    import traceback

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    found: list[str] = []

    def check(conn, cursor, statement, parameters, context, executemany):
        # The app's loop runs in a thread of its own (TestClient's portal, a live server); the test's own
        # thread may run one too (Playwright's sync API), and its set-up statements are not the app's.
        if threading.current_thread() is threading.main_thread():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        ours = [f"  {frame.filename}:{frame.lineno} {frame.name}" for frame in traceback.extract_stack()
                if "/site-packages/" not in frame.filename and "/conftest.py" not in frame.filename]
        found.append(statement[:80] + "\n" + "\n".join(ours[-8:]))

    event.listen(Engine, "before_cursor_execute", check)
    yield
    event.remove(Engine, "before_cursor_execute", check)
    assert not found, "database work on the event loop:\n" + "\n".join(found[:3])


@pytest.fixture(scope="session")
def bundle():
    return load_bundle(FLOWS)


@contextmanager
def new_postgres_database(prefix: str) -> Iterator[str]:
    """A database of its own on the PostgreSQL server (empty, not migrated), dropped afterwards; fails
    loudly if the server is down."""
    admin_url = make_url(normalise_url(POSTGRES_URL))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"PostgreSQL is required for these tests ({POSTGRES_URL}): {exc}. "
                    "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_server_url():
    """A database of our own on the PostgreSQL server, for this test run only."""
    with new_postgres_database("bot_test") as url:
        upgrade(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    yield url
    get_engine(url).dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """The same test on the embedded default and on the production store."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    url = request.getfixturevalue("postgres_server_url")
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    yield url


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """The `bot` command's environment: a fresh SQLite file (not migrated), the shipped flows, no stray .env."""
    from bot.settings import get_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    get_engine(url).dispose()


@pytest.fixture
def customers(database_url, bundle):
    from bot.customers.importer import import_customers

    with transaction(database_url) as session:
        report = import_customers(session, DEMO_CSV, schemes=bundle.schemes, region="GB")
    assert report.ok, report.rejected
    return database_url


# Queues go through TaskRouter in the tests' app, so a handoff carries its <Task> attributes (a plain
# named queue has none); tests of plain queues pass twilio_workflow_sid=None.
WORKFLOW_SID = "WW" + "0" * 32


def make_settings(database_url: str, **overrides) -> Settings:
    values = dict(database_url=database_url, twilio_auth_token=TOKEN, public_base_url=BASE_URL, flows_dir=FLOWS,
                  twilio_workflow_sid=WORKFLOW_SID, data_key=DATA_KEY)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def app(customers):
    from webhooks.app import create_app

    return create_app(make_settings(customers))


def phones(http):
    """A maker of phones that call the app behind `http`, signed with the test token."""
    from tests.twilio_phone import TwilioPhone

    def make(**kwargs) -> TwilioPhone:
        return TwilioPhone(http, token=TOKEN, base_url=BASE_URL, **kwargs)

    return make


@pytest.fixture
def http(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def phone(http):
    return phones(http)
