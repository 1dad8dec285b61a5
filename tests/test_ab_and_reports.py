"""A/B splits of prompt wording, recorded in events and compared by `bot report variants`."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.engine import ab_test
from bot.engine.bundle import load_bundle
from bot.reporting import Period, variants
from bot.settings import get_settings
from bot.store.db import transaction
from bot.yaml_source import ConfigError
from tests.conftest import BASE_URL, FLOWS, TOKEN, make_settings
from tests.twilio_phone import TwilioPhone
from webhooks.renderers import renderer_for

SPLIT = """    ab_test:
      name: short_number_prompt
      share: {share}
      prompt: "Your customer number, then hash."
"""


def flows_with_split(tmp_path, share="0.5"):
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    text = (target / "default.yaml").read_text()
    marker = "    type: collect_number\n"
    assert marker in text
    (target / "default.yaml").write_text(text.replace(marker, marker + SPLIT.format(share=share), 1))
    spanish = (target / "lang" / "es.yaml").read_text()
    assert "\n  customer_number:\n" in spanish
    (target / "lang" / "es.yaml").write_text(spanish.replace(
        "\n  customer_number:\n", '\n  customer_number:\n    ab_test:\n      prompt: "Su número de cliente y almohadilla."\n', 1))
    return target


def test_variant_is_stable_per_conversation_and_follows_the_share():
    test = {"name": "t", "share": 0.3}
    keys = [f"CA{i:032d}" for i in range(2000)]
    assert [ab_test.variant(k, test) for k in keys] == [ab_test.variant(k, test) for k in keys]
    share_b = sum(ab_test.variant(k, test) == "B" for k in keys) / len(keys)
    assert 0.25 < share_b < 0.35
    assert all(ab_test.variant(k, {"name": "t", "share": 0.0}) == "A" for k in keys[:50])
    assert all(ab_test.variant(k, {"name": "t", "share": 1.0}) == "B" for k in keys[:50])


def test_share_out_of_range_is_reported(tmp_path):
    flows = flows_with_split(tmp_path, share="1.5")
    with pytest.raises(ConfigError) as info:
        load_bundle(flows)
    line = next(i for i, l in enumerate((flows / "default.yaml").read_text().splitlines(), 1) if "share: 1.5" in l)
    assert any(f"default.yaml:{line}:" in str(p) and "from 0 to 1" in str(p) for p in info.value.problems)


@pytest.fixture
def split_app(customers, tmp_path, monkeypatch):
    from webhooks.app import create_app
    flows = flows_with_split(tmp_path)
    app = create_app(make_settings(customers, flows_dir=flows))
    monkeypatch.setenv("DATABASE_URL", customers)
    monkeypatch.setenv("FLOWS_DIR", str(flows))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    with TestClient(app, base_url=BASE_URL) as http:
        yield http
    get_settings.cache_clear()


def test_both_wordings_are_heard_recorded_and_compared(split_app, customers):
    heard = {"A": 0, "B": 0}
    for i in range(12):
        call = TwilioPhone(split_app, token=TOKEN, base_url=BASE_URL, call_sid=f"CA{i:032x}").dial()
        variant = "B" if "Your customer number, then hash." in call.last else "A"
        heard[variant] += 1
        assert variant == ab_test.variant(call.call_sid, {"name": "short_number_prompt", "share": 0.5})
        if i % 2:
            call.press("1023456781#")
            call.press("03031985")
            call.say("SW1A 1AA")
        else:
            call.hang_up()
    assert heard["A"] and heard["B"]
    everything = Period(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc))
    with transaction(customers) as session:
        (test,) = variants(session, everything)
    assert (test.name, test.step) == ("short_number_prompt", "customer_number")
    assert {(f.variant, f.conversations) for f in test.variants} == {("A", heard["A"]), ("B", heard["B"])}
    assert sum(f.counts["verified"] for f in test.variants) == 6 and sum(f.counts["hung_up"] for f in test.variants) == 6
    assert test.verdict.startswith("not enough calls yet")
    result = CliRunner().invoke(cli, ["report", "variants", "--since", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert "short_number_prompt" in result.output and "verified" in result.output
    funnel = CliRunner().invoke(cli, ["report", "funnel", "--since", "2000-01-01"])
    assert funnel.exit_code == 0 and "customer_number" in funnel.output and "12 conversations" in funnel.output


# Issue 13, finding 7: A/B tests can be tested.

def test_share_out_of_range_names_the_field_and_says_it_is_a_fraction(tmp_path):
    flows = flows_with_split(tmp_path, share="50")
    with pytest.raises(ConfigError) as info:
        load_bundle(flows)
    line = next(i for i, l in enumerate((flows / "default.yaml").read_text().splitlines(), 1) if "share: 50" in l)
    assert [str(p) for p in info.value.problems] == [
        f"{flows}/default.yaml:{line}: share: expected a fraction from 0 to 1, got 50 (0.5 is half)"]


def write_ab_test(flows, variant_line: str, expect: str):
    (flows / "tests" / "ab.yaml").write_text(f"""\
name: the short wording
{variant_line}
turns:
  - expect: "{expect}"
""")


def test_a_conversation_test_chooses_the_variant_and_a_failure_names_it(tmp_path, cli_env):
    flows = flows_with_split(tmp_path)
    runner = CliRunner()
    write_ab_test(flows, "variants: {short_number_prompt: B}", "Your customer number, then hash.")
    passed = runner.invoke(cli, ["flows", "test", str(flows / "tests" / "ab.yaml")])
    assert passed.exit_code == 0, passed.output
    write_ab_test(flows, "variants: {short_number_prompt: A}", "Your customer number, then hash.")
    failed = runner.invoke(cli, ["flows", "test", str(flows / "tests" / "ab.yaml")])
    assert failed.exit_code == 1 and "A/B test: short_number_prompt served A" in failed.output, failed.output
    write_ab_test(flows, "variants: {short_number_promt: B}", "x")
    unknown = runner.invoke(cli, ["flows", "test", str(flows / "tests" / "ab.yaml")])
    assert "the flow has no A/B test 'short_number_promt'; its tests: short_number_prompt" in unknown.output


def test_each_conversation_test_has_its_own_session_key(tmp_path, bundle):
    from bot.flowtests.run import _run_conversation
    from bot.flowtests.spec import ConversationSpec, TurnSpec
    from bot.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'k.db'}"
    upgrade(url)
    spec = ConversationSpec(line=1, channel="voice", turns=(TurnSpec(line=1, send=None),))
    keys = set()
    for name in ("01_one", "02_two"):
        failure, _ = _run_conversation(spec, bundle, url, 0, name, renderers=renderer_for)
        assert failure is None
        with transaction(url) as session:
            from bot.store.models import Conversation
            keys = {row.session_key for row in session.query(Conversation)}
    assert keys == {"FLOWTEST-01_one-1", "FLOWTEST-02_two-1"}


def test_simulate_state_shows_the_variant_served(tmp_path, customers, monkeypatch):
    flows = flows_with_split(tmp_path)
    monkeypatch.setenv("DATABASE_URL", customers)
    monkeypatch.setenv("FLOWS_DIR", str(flows))
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["simulate", "--variant", "short_number_prompt=B"], input=":state\n:quit\n")
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Your customer number, then hash." in result.output
    assert "A/B short_number_prompt=B" in result.output and '"short_number_prompt": "B"' in result.output
