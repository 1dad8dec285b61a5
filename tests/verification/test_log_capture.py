"""Every log line of a full verified call (PIN and one-time code included) and of a failed one,
captured at DEBUG from the root logger: none holds a raw answer. Then the audit export of those
calls: complete, and without the answers either."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.settings import get_settings
from bot.store.db import transaction
from bot.store.models import Customer, VerificationDecision
from bot.verification.audit_export import FIELDS
from bot.verification.pins import hash_pin
from tests.conftest import FLOWS
from tests.verification import variants

ALICE, ALICE_PHONE, PIN = "1023456781", "+447911123456", "4821"
# What the callers answered, right and wrong, in every form it could take in a log line.
RIGHT = ["03031985", "1985-03-03", "03/03/1985", "3 March 1985", "1985", "SW1A 1AA", "SW1A1AA", "SW1A", PIN,
         ALICE_PHONE, "7911123456", "07911 123456"]
WRONG = ["14071990", "1990-07-14", "14/07/1990", "14 July 1990", "1990", "M1 1AE", "M11AE", "1357"]


def leaks(text: str, secrets: list[str]) -> list[str]:
    # Bounded by non-alphanumerics, so a hex id that happens to contain "1985" is not a false alarm.
    return [s for s in secrets if re.search(rf"(?<![0-9A-Za-z]){re.escape(s)}(?![0-9A-Za-z])", text, re.IGNORECASE)]


@pytest.fixture
def calls(app_for, customers, caplog, verify_server):
    """Run the two calls with every log record captured; returns (call ids, code, captured text)."""
    with transaction(customers) as session:
        session.execute(update(Customer).where(Customer.customer_number == ALICE).values(pin_hash=hash_pin(PIN)))
    caplog.set_level(logging.DEBUG)  # the root logger, every logger under it
    texts = variants.ask_after_postcode(variants.step_up(), "pin", "Please key in your PIN, then press hash.")
    phone, _ = app_for(variants.policy(texts, "all_of: [date_of_birth, postcode, pin]"), log_level="DEBUG")
    logging.getLogger("bot.test").debug("canary: customer %s", ALICE)

    verified = phone().dial()
    verified.press(ALICE + "#")
    verified.press("03031985")
    verified.say("S W one A one A A")
    verified.press(PIN + "#")
    verified.press("1")
    code = verify_server.fake.last_code(ALICE_PHONE)
    verified.press(code)
    assert verified.task["department"] == "billing" and verified.task["verified"] is True
    assert verified.hang_up() == 204

    failed = phone().dial()
    for _ in range(2):
        failed.press(ALICE + "#")
        failed.press("14071990")
        failed.say("M1 1AE")
        failed.press("1357#")
    assert failed.task["verified"] is False and failed.task["department"] == "general"
    lines = [caplog.handler.format(record) for record in caplog.records]
    return (verified.call_sid, failed.call_sid), code, "\n".join(lines)


def test_no_log_line_holds_a_raw_answer(calls):
    (verified, failed), code, text = calls
    assert "canary: customer ******6781" in text  # DEBUG lines are captured, and through the filter
    assert re.search(r"conversation [0-9a-f]{32} turn \d+ at step_up_code: .*code-sent", text)  # the calls themselves
    assert ALICE not in text.replace(" ", "")
    assert leaks(text, RIGHT + WRONG + [code]) == []


@pytest.fixture
def export(calls, monkeypatch, tmp_path, customers):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", customers)
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    get_settings.cache_clear()
    runner = CliRunner()
    since = dt.datetime.now(dt.timezone.utc).date().isoformat()

    def run(fmt: str) -> str:
        result = runner.invoke(cli, ["audit", "export", "--since", since, "--format", fmt])
        assert result.exit_code == 0, result.output
        return result.stdout

    yield calls, run
    get_settings.cache_clear()


def test_the_audit_export_is_complete_and_holds_no_answers(export, customers):
    ((verified, failed), code, _), run = export
    rows = json.loads(run("json"))
    with transaction(customers) as session:
        stored = session.scalars(select(VerificationDecision).order_by(VerificationDecision.at, VerificationDecision.id)).all()
    assert len(rows) == len(stored) == 4
    assert all(set(row) == set(FIELDS) for row in rows)
    by_call = {key: [(r["result"], r["factors_asked"], r["factors_passed"], r["reason"]) for r in rows
                     if r["session_key"] == key] for key in (verified, failed)}
    assert by_call[verified] == [
        ("verified", ["date_of_birth", "postcode", "pin"], ["date_of_birth", "postcode", "pin"], None),
        ("verified", ["one_time_code"], ["one_time_code"], "step-up"),
    ]
    assert by_call[failed] == [("failed", ["date_of_birth", "postcode", "pin"], [], "details-mismatch")] * 2
    assert {(r["channel"], r["customer_number"]) for r in rows} == {("voice", ALICE)}
    assert all(r["flow_version"] and r["conversation_id"] and r["at"] for r in rows)

    as_csv = run("csv")
    table = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["session_key"] for r in table] == [r["session_key"] for r in rows]
    assert table[0]["factors_passed"] == "date_of_birth postcode pin"
    for text in (json.dumps([{k: v for k, v in r.items() if k != "customer_number"} for r in rows]), as_csv):
        assert leaks(text.replace(ALICE, ""), RIGHT + WRONG + [code]) == []
