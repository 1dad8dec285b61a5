"""The data keys: sealing that fails loudly when anything is changed, keyed hashes, rotation, and the
rule that production does not start without a key while `make run` makes itself one."""
from __future__ import annotations

import hashlib
import os
import stat

import pytest

from bot import keys
from bot.keys import DataKeyError, Keyring, SealError
from bot.settings import Settings
from bot.verification.velocity import caller_origin
from tests.conftest import DATA_KEY, make_settings

OLD = "old-data-key-0123456789abcdefghijklmnopq"
NEW = "new-data-key-0123456789abcdefghijklmnopq"


def test_a_sealed_value_opens_only_with_its_key_and_purpose_and_untouched():
    ring = Keyring(NEW)
    token = ring.seal('{"value": "1985-03-03"}', purpose="conversations.state")
    assert "1985" not in token and token.startswith("fd1.")
    assert ring.open(token, purpose="conversations.state") == '{"value": "1985-03-03"}'
    assert ring.seal("x", purpose="p") != ring.seal("x", purpose="p")  # a fresh nonce each time
    with pytest.raises(SealError):
        ring.open(token, purpose="conversations.last_response")  # moved to another column
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with pytest.raises(SealError):
        ring.open(tampered, purpose="conversations.state")
    with pytest.raises(SealError, match="not configured"):
        Keyring(OLD).open(token, purpose="conversations.state")


def test_rotation_opens_what_a_retired_key_sealed_and_says_what_to_reseal():
    sealed_before = Keyring(OLD).seal("SW1A1AA", purpose="p")
    rotated = Keyring(NEW, retired=[OLD])
    assert rotated.open(sealed_before, purpose="p") == "SW1A1AA"
    assert rotated.needs_rekey(sealed_before) and rotated.needs_rekey("scrypt$clear")
    assert not rotated.needs_rekey(rotated.seal("SW1A1AA", purpose="p"))


def test_hashes_of_caller_ids_are_keyed():
    plain = hashlib.sha256(b"+447700900123").hexdigest()[:32]
    origin = caller_origin("+447700900123")
    assert plain not in origin and "447700900123" not in origin
    assert origin == caller_origin("+44 7700 900123")
    keys.install(Keyring(NEW))
    assert caller_origin("+447700900123") != origin


@pytest.mark.parametrize("value", ["", "changeme", "short-key"])
def test_a_missing_weak_or_placeholder_key_is_refused(value):
    with pytest.raises(DataKeyError):
        keys.from_settings(Settings(_env_file=None, data_key=value or None))


def test_production_refuses_to_start_without_a_key(sqlite_url, monkeypatch, tmp_path):
    from webhooks.app import create_app

    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataKeyError, match="production refuses to start"):
        create_app(make_settings(sqlite_url, data_key=None))
    assert not (tmp_path / ".data_key").exists()  # production never makes one up


def test_development_makes_a_local_key_once_readable_by_its_owner_only(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATA_KEY")
    settings = Settings(_env_file=None, environment="development")
    first = keys.from_settings(settings)
    made = tmp_path / ".data_key"
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600
    second = keys.from_settings(settings)
    assert first.current.id == second.current.id
    token = first.seal("x", purpose="p")
    assert second.open(token, purpose="p") == "x"


def test_a_key_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("DATA_KEY")
    path = tmp_path / "key"
    path.write_text(NEW + "\n")
    assert keys.from_settings(Settings(_env_file=None, data_key_file=path)).current.id == Keyring(NEW).current.id
    with pytest.raises(DataKeyError, match="cannot be read"):
        keys.from_settings(Settings(_env_file=None, data_key_file=tmp_path / "missing"))


def test_bot_serve_without_a_key_exits_with_a_clear_message(cli_env, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.delenv("DATA_KEY")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("served without a data key"))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "DATA_KEY is not set" in result.output and "Traceback" not in result.output
    assert DATA_KEY not in result.output
