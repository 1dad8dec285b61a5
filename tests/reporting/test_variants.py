"""A/B tests compared: the question whose wording changed and the whole call, intervals and verdicts."""
from __future__ import annotations

import dataclasses
import datetime as dt

from bot.reporting import Period, variants, variants_tables
from bot.reporting.stats import newcombe
from bot.store.db import transaction

UTC = dt.timezone.utc
APRIL = Period(dt.datetime(2026, 4, 1, tzinfo=UTC), dt.datetime(2026, 4, 3, tzinfo=UTC))


def test_b_is_better_and_every_figure(ab_seeded):
    with transaction(ab_seeded) as session:
        tests = {t.name: t for t in variants(session, APRIL)}
    dob = tests["dob_wording"]
    assert dob.step == "date_of_birth"
    a, b = dob.variants
    assert a.counts == {"conversations": 120, "first_try": 72, "no_match": 48, "verified": 80, "routed": 120,
                        "ran_out": 24, "hung_up": 0}
    assert b.counts == {"conversations": 120, "first_try": 96, "no_match": 24, "verified": 100, "routed": 120,
                        "ran_out": 12, "hung_up": 0}
    assert a.wording[0][0] == "voice" and a.wording[0][1].startswith("Thank you. Please enter your date of birth")
    assert b.wording == [("", "Your date of birth, please: day, month, year.")]
    first_try = dob.comparisons[0]
    assert first_try.measure.key == "first_try"
    assert (round(first_try.low, 4), round(first_try.high, 4)) == tuple(round(x, 4) for x in newcombe(96, 120, 72, 120))
    assert first_try.low > 0 and first_try.better == "B"
    assert dob.verdict.startswith("B is better: 80% of B's callers answered the first time, against 60% of A's")
    no_match = dob.comparisons[1]
    assert no_match.better == "B"  # fewer no-matches is better


def test_no_difference_yet_says_how_many_more_calls(ab_seeded):
    with transaction(ab_seeded) as session:
        tests = {t.name: t for t in variants(session, APRIL)}
    postcode = tests["postcode_wording"]
    assert [(f.variant, f.conversations, f.counts["first_try"]) for f in postcode.variants] == [("A", 120, 72),
                                                                                               ("B", 120, 78)]
    # 60% against 65%: 1471 per wording for 80% power at 95% confidence; 240 heard so far.
    assert postcode.more_needed == 2 * 1471 - 240
    assert postcode.verdict.startswith("no difference yet: about 2702 more calls needed")
    assert postcode.comparisons[0].better is None


def test_no_verdict_before_the_minimum_sample(ab_seeded):
    first_day = Period(dt.datetime(2026, 4, 1, 8, tzinfo=UTC), dt.datetime(2026, 4, 1, 8, 50, tzinfo=UTC))
    with transaction(ab_seeded) as session:
        tests = {t.name: t for t in variants(session, first_day)}
        default = {t.name: t for t in variants(session, APRIL, min_per_variant=200)}
    dob = tests["dob_wording"]  # 50 conversations per wording in the first 50 minutes
    assert [f.conversations for f in dob.variants] == [50, 50]
    assert dob.verdict == "not enough calls yet: about 100 more needed before any verdict (at least 100 per wording)"
    assert default["dob_wording"].verdict.startswith("not enough calls yet: about 160 more needed")


def test_only_one_variant_heard(ab_seeded):
    with transaction(ab_seeded) as session:
        tests = variants(session, dataclasses.replace(APRIL, channel="web"))
    assert tests == []


def test_export_tables(ab_seeded):
    with transaction(ab_seeded) as session:
        table, differences = variants_tables(variants(session, APRIL))
    row = next(r for r in table.rows if r["test"] == "dob_wording" and r["variant"] == "B")
    assert (row["first_try_pct"], row["no_match_pct"], row["verified_pct"], row["ran_out_pct"]) == (80.0, 20.0, 83.3, 10.0)
    assert row["wording"] == "Your date of birth, please: day, month, year."
    difference = next(r for r in differences.rows if r["test"] == "dob_wording" and r["measure"] == "first_try")
    assert difference["difference_points"] == 20.0 and difference["better"] == "B"
