"""`bot desk status` and `bot desk resend` against a real local receiver."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.chat import desk
from bot.cli import app
from bot.settings import get_settings
from bot.store.db import get_engine, transaction
from bot.store.migrate import upgrade
from bot.store.models import utcnow
from tests.chat.desk_receiver import DeskReceiver, closed_port_url

SECRET = "desk-secret-0123456789abcdef"
runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AGENT_DESK_SECRET", SECRET)
    monkeypatch.setenv("AGENT_DESK_BACKOFF_SECONDS", "0")
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    get_settings.cache_clear()
    yield url, monkeypatch
    get_settings.cache_clear()
    get_engine(url).dispose()


def test_resend_delivers_the_dead_letters_once_the_desk_is_back(env):
    url, monkeypatch = env
    with transaction(url) as session:
        for _ in range(2):
            desk.enqueue(session, conversation_id="c" * 32, payload={"type": "chat.handoff"}, configured=False,
                         now=utcnow())
    monkeypatch.setenv("AGENT_DESK_URL", closed_port_url())
    get_settings.cache_clear()
    down = runner.invoke(app, ["desk", "resend"])
    assert down.exit_code == 1 and "0 delivered, 2 still undelivered" in down.output
    receiver = DeskReceiver(SECRET).start()
    try:
        monkeypatch.setenv("AGENT_DESK_URL", receiver.url)
        get_settings.cache_clear()
        back = runner.invoke(app, ["desk", "resend"])
    finally:
        receiver.stop()
    assert back.exit_code == 0 and "2 delivered, 0 still undelivered" in back.output
    assert len(receiver.received) == 2 and all(post.signed for post in receiver.received)
    status = runner.invoke(app, ["desk", "status"])
    assert status.exit_code == 0
    assert "delivered  2" in status.output and "dead       0" in status.output


def test_resend_without_a_desk_url_says_so(env):
    result = runner.invoke(app, ["desk", "resend"])
    assert result.exit_code == 1 and "AGENT_DESK_URL is not set" in result.output
