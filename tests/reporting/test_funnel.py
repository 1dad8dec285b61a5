"""The funnel on the seeded conversations: every figure, counted in conversations (not answers)."""
from __future__ import annotations

import dataclasses

from bot.reporting import funnel, funnel_table
from bot.store.db import transaction
from tests.reporting.conftest import SEED_PERIOD

EXPECTED = {
    #                   reached 1st-try on-retry no-input no-match ran-out hung-up
    "customer_number": (11, 8, 2, 1, 1, 0, 1),
    "date_of_birth": (10, 8, 0, 1, 0, 1, 1),
    "postcode": (8, 7, 0, 0, 0, 0, 1),
    "main_menu": (7, 6, 0, 0, 0, 0, 1),
}
KEYS = ("reached", "first_try", "on_retry", "no_input", "no_match", "ran_out", "hung_up")


def test_every_figure_of_the_funnel(seeded):
    url, _ = seeded
    with transaction(url) as session:
        report = funnel(session, SEED_PERIOD)
    assert report.conversations == 11
    # Questions only, in the order the flow asks them (the inline language offer is not asked on its own).
    assert [row.step for row in report.rows] == list(EXPECTED)
    assert {row.step: tuple(row.counts[k] for k in KEYS) for row in report.rows} == EXPECTED
    assert [row.step for row in report.rows if row.worst] == ["customer_number"]  # 8/11 answered first time


def test_a_caller_asked_twice_is_one_conversation(seeded):
    """V3 failed the check and was asked the date of birth again: answered twice, counted once."""
    url, ids = seeded
    with transaction(url) as session:
        report = funnel(session, SEED_PERIOD)
    dob = next(row for row in report.rows if row.step == "date_of_birth")
    assert dob.counts["first_try"] + dob.counts["on_retry"] <= dob.reached
    for row in report.rows:
        assert all(row.counts[k] <= row.reached for k in KEYS)


def test_the_channel_filter(seeded):
    url, _ = seeded
    with transaction(url) as session:
        web = funnel(session, dataclasses.replace(SEED_PERIOD, channel="web"))
        sms = funnel(session, dataclasses.replace(SEED_PERIOD, channel="sms"))
    assert web.conversations == 2
    assert {r.step: tuple(r.counts[k] for k in KEYS) for r in web.rows} == {
        "customer_number": (2, 1, 1, 0, 1, 0, 0), "date_of_birth": (2, 2, 0, 0, 0, 0, 0),
        "postcode": (2, 2, 0, 0, 0, 0, 0), "main_menu": (2, 2, 0, 0, 0, 0, 0)}
    assert [r.step for r in web.rows if r.worst] == ["customer_number"]
    assert {r.step: tuple(r.counts[k] for k in KEYS) for r in sms.rows} == {
        "customer_number": (1, 1, 0, 0, 0, 0, 0), "date_of_birth": (1, 0, 0, 0, 0, 0, 1)}


def test_the_export_has_percentages_of_reached(seeded):
    url, _ = seeded
    with transaction(url) as session:
        table = funnel_table(funnel(session, SEED_PERIOD))
    first = table.rows[0]
    assert first["step"] == "customer_number" and first["worst"] is True
    assert (first["first_try"], first["first_try_pct"], first["on_retry_pct"], first["hung_up_pct"]) == (8, 72.7, 18.2, 9.1)
    assert table.rows[1]["ran_out_pct"] == 10.0
    assert table.to_csv().splitlines()[0] == ("step,reached,first_try,first_try_pct,on_retry,on_retry_pct,no_input,"
                                              "no_input_pct,no_match,no_match_pct,ran_out,ran_out_pct,hung_up,"
                                              "hung_up_pct,worst")
