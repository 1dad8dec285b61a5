"""Issuing against the store: unique forever (issued, closed or a customer's), valid, recorded, bulk."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from bot.issuance import change_status, issue_numbers
from bot.numbering import InvalidComponent, Scheme, SerialSpaceExhausted
from bot.store.db import transaction
from bot.store.models import Customer, IssuedNumber

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)

# Ten numbers per prefix: small enough to fill, so "never reused" can be tested to the end.
TINY = Scheme.from_dict({
    "name": "tiny",
    "alphabet": "digits",
    "segments": [
        {"kind": "prefix", "length": 1, "table": {"7": {"meaning": "Test range"}}},
        {"kind": "serial", "length": 1},
        {"kind": "check", "algorithm": "damm"},
    ],
})


def issue(url, scheme, prefix, count, seed=0):
    with transaction(url) as session:
        return issue_numbers(session, scheme=scheme, prefix=prefix, count=count, rng=random.Random(seed), now=NOW)


def issued_rows(url):
    with transaction(url) as session:
        return {row.number: row for row in session.scalars(select(IssuedNumber))}


def add_customer(url, number, status="active"):
    with transaction(url) as session:
        session.add(Customer(customer_number=number, full_name="Test Person", date_of_birth=dt.date(1980, 1, 1),
                             postcode="SW1A 1AA", status=status))


def test_ten_thousand_issued_numbers_are_unique_valid_and_recorded(database_url, bundle):
    scheme = bundle.schemes.default
    numbers = issue(database_url, scheme, "20", 10_000)
    assert len(numbers) == len(set(numbers)) == 10_000
    assert all(bundle.schemes.validate(n).scheme is scheme for n in numbers)
    assert all(n.startswith("20") for n in numbers)
    rows = issued_rows(database_url)
    assert set(rows) == set(numbers)
    row = rows[numbers[0]]
    assert (row.scheme, row.prefix, row.status, row.issued_at) == ("customer", "20", "active", NOW)
    # A second run skips everything the first one issued.
    more = issue(database_url, scheme, "20", 10_000, seed=1)
    assert not set(more) & set(numbers)
    with transaction(database_url) as session:
        assert session.scalar(select(func.count(func.distinct(IssuedNumber.number)))) == 20_000


def test_the_same_seed_never_gives_the_same_number_twice(sqlite_url, bundle):
    # A seeded generator replays the same draws: the store, not luck, keeps them apart.
    first = issue(sqlite_url, bundle.schemes.default, "10", 50, seed=7)
    second = issue(sqlite_url, bundle.schemes.default, "10", 50, seed=7)
    assert len(set(first) | set(second)) == 100


def test_a_full_range_is_issued_exactly_once_then_refused(database_url):
    numbers = issue(database_url, TINY, "7", 10)
    assert sorted(n[1] for n in numbers) == list("0123456789")
    assert all(TINY.is_valid(n) for n in numbers)
    with pytest.raises(SerialSpaceExhausted):
        issue(database_url, TINY, "7", 1, seed=3)
    assert len(issued_rows(database_url)) == 10  # the failed run recorded nothing


def test_closed_numbers_and_customers_numbers_are_never_issued(database_url):
    first = issue(database_url, TINY, "7", 4)
    with transaction(database_url) as session:
        change_status(session, number=first[0], new="closed", reason="test", changed_by="pytest")
    customer = next(n for n in (TINY.generate("7", random.Random(s)) for s in range(100)) if n not in first)
    add_customer(database_url, customer)
    rest = issue(database_url, TINY, "7", 5, seed=1)
    assert not set(rest) & set(first) and customer not in rest
    assert len(set(first) | set(rest) | {customer}) == 10
    with pytest.raises(SerialSpaceExhausted):
        issue(database_url, TINY, "7", 1, seed=2)


def test_asking_for_more_than_a_prefix_holds_issues_nothing(sqlite_url):
    with pytest.raises(SerialSpaceExhausted):
        issue(sqlite_url, TINY, "7", 11)
    assert issued_rows(sqlite_url) == {}


def test_unknown_prefix_and_bad_count(sqlite_url, bundle):
    with pytest.raises(InvalidComponent):
        issue(sqlite_url, bundle.schemes.default, "99", 1)
    with pytest.raises(ValueError):
        issue(sqlite_url, bundle.schemes.default, "10", 0)
    assert issued_rows(sqlite_url) == {}


def test_alphanumeric_numbers_are_issued_with_their_check_character(sqlite_url):
    from bot.numbering import load_schemes
    from tests.numbering.conftest import FIXTURES

    member = load_schemes(FIXTURES / "alphanumeric.yaml").default
    numbers = issue(sqlite_url, member, "MB", 1000)
    assert len(set(numbers)) == 1000 and all(member.is_valid(n) and n.startswith("MB") for n in numbers)
    assert any(n[-1].isalpha() for n in numbers)  # mod 37,36 check characters include letters
