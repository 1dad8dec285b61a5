"""Settings fail fast with a message an operator can act on: a region phone numbers cannot be read in,
a proxy list that is not addresses, stop start-up with the variable named and no traceback."""
from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings, get_settings


@pytest.mark.parametrize("region, expected", [("gb", "GB"), (" us ", "US"), ("IE", "IE")])
def test_a_region_is_read_in_any_case(region, expected):
    assert Settings(_env_file=None, default_region=region).default_region == expected


@pytest.mark.parametrize("region", ["uk", "EU", "XX", "GBR", "", "001"])
def test_a_region_phone_numbers_cannot_be_read_in_is_refused(region):
    with pytest.raises(ValidationError, match="is not a region phone numbers can be read in"):
        Settings(_env_file=None, default_region=region)


def test_uk_is_pointed_at_gb():
    with pytest.raises(ValidationError, match=r"the United Kingdom is GB"):
        Settings(_env_file=None, default_region="uk")


@pytest.mark.parametrize("command", [["serve"], ["customers", "import", "x.csv"]])
def test_bot_commands_name_the_bad_setting_without_a_traceback(cli_env, monkeypatch, tmp_path, command):
    import uvicorn

    from bot.cli import main

    (tmp_path / "x.csv").write_text("customer_number\n")
    monkeypatch.setenv("DEFAULT_REGION", "uk")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("served with a bad setting"))
    get_settings.cache_clear()
    monkeypatch.setattr("sys.argv", ["bot", *command])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1


def test_bot_serve_says_which_setting_is_wrong(cli_env, monkeypatch):
    monkeypatch.setenv("DEFAULT_REGION", "uk")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "configuration error: DEFAULT_REGION: 'UK' is not a region" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["proxy.internal", "10.0.0.300", "10.0.0.0/33"])
def test_forwarded_allow_ips_must_be_addresses_or_networks(value):
    with pytest.raises(ValidationError, match="FORWARDED_ALLOW_IPS"):
        Settings(_env_file=None, forwarded_allow_ips=value)
    assert Settings(_env_file=None, forwarded_allow_ips="10.0.0.2, 10.1.0.0/16, ::1").proxies == ["10.0.0.2", "10.1.0.0/16", "::1"]


def test_every_setting_is_in_env_example_and_the_readme_table():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    example = (root / ".env.example").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        variable = name.upper()
        assert f"\n{variable}=" in example, f"{variable} is missing from .env.example"
        assert f"| `{variable}` |" in readme, f"{variable} is missing from the README's configuration table"
