"""The seeded database every reporting test reads (see seed.py for what happened in it)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.reporting import Period
from tests.reporting import seed as seeding

UTC = dt.timezone.utc
SEED_PERIOD = Period(dt.datetime(2026, 3, 2, tzinfo=UTC), dt.datetime(2026, 3, 5, tzinfo=UTC))
RECOVERY_PERIOD = Period(dt.datetime(2026, 3, 10, tzinfo=UTC), dt.datetime(2026, 3, 12, tzinfo=UTC))


@pytest.fixture
def seeded(customers, tmp_path):
    """The engine-driven conversations; returns (database_url, key -> conversation id)."""
    return customers, seeding.seed(customers, tmp_path)


@pytest.fixture
def recovery_seeded(customers, tmp_path):
    """Number recoveries of every kind (seed.RECOVERY_SCRIPTS); returns (database_url, key -> conversation id)."""
    return customers, seeding.seed_recoveries(customers, tmp_path)


@pytest.fixture
def ab_seeded(database_url, tmp_path):
    """Two A/B tests of recorded outcomes: dob_wording (B clearly better) and postcode_wording (too close to call)."""
    bundle = seeding.publish(database_url, seeding.ab_flows(tmp_path))
    start = dt.datetime(2026, 4, 1, 8, tzinfo=UTC)
    for variant, first_try, no_match, verified in (("A", 72, 24, 80), ("B", 96, 12, 100)):
        seeding.record_ab(database_url, bundle.version, test="dob_wording", step="date_of_birth", variant=variant,
                          count=120, first_try=first_try, no_match=no_match, verified=verified, start=start)
    for variant, first_try in (("A", 72), ("B", 78)):
        seeding.record_ab(database_url, bundle.version, test="postcode_wording", step="postcode", variant=variant,
                          count=120, first_try=first_try, no_match=120 - first_try, verified=first_try,
                          start=start + dt.timedelta(days=1))
    return database_url
