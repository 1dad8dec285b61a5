from __future__ import annotations

import random
import time

import pytest

from bot.numbering import InvalidComponent, Scheme, SerialSpaceExhausted, generate_many
from bot.numbering.issuance import MAX_CONSECUTIVE_COLLISIONS, capacity

from .conftest import default_scheme_dict


def tiny_scheme() -> Scheme:
    scheme = default_scheme_dict()
    scheme["segments"][1]["length"] = 1
    scheme["display"] = "####"
    return Scheme.from_dict(scheme)


def test_ten_thousand_issued_numbers_are_unique_and_valid(default_set):
    customer = default_set.default
    numbers = list(generate_many(customer, "20", 10_000, random.Random(1)))
    assert len(numbers) == len(set(numbers)) == 10_000
    assert all(customer.is_valid(n) and n.startswith("20") for n in numbers)
    assert len({n[2:9] for n in numbers}) == 10_000  # the serial is what differs


def test_issuance_is_deterministic_given_the_rng(default_set):
    customer = default_set.default
    first = list(generate_many(customer, "10", 5, random.Random(42)))
    assert first == list(generate_many(customer, "10", 5, random.Random(42)))
    assert first != list(generate_many(customer, "10", 5, random.Random(43)))


def test_excluded_numbers_are_skipped(default_set):
    customer = default_set.default
    taken = set(generate_many(customer, "10", 50, random.Random(9)))
    fresh = list(generate_many(customer, "10", 50, random.Random(9), exclude=taken))
    assert len(fresh) == 50 and not taken & set(fresh)
    odd_only = list(generate_many(customer, "10", 50, random.Random(9), exclude=lambda n: int(n[-2]) % 2 == 0))
    assert all(int(n[-2]) % 2 for n in odd_only)


def test_generate_checks_the_prefix(default_set, legacy_set):
    customer = default_set.default
    with pytest.raises(InvalidComponent) as caught:
        customer.generate("40", random.Random(0))
    assert caught.value.details == {"prefix": "40", "expected": ["10", "20", "30"]}
    with pytest.raises(InvalidComponent):
        customer.generate(None, random.Random(0))
    legacy = legacy_set.get("legacy")
    assert legacy.is_valid(legacy.generate(None, random.Random(0)))
    with pytest.raises(InvalidComponent):
        legacy.generate("10", random.Random(0))


def test_alphanumeric_and_system_random(member_set):
    member = member_set.default
    number = member.generate("AS", random.SystemRandom())
    assert member.validate(number) == number and number.startswith("AS")


def test_a_full_range_is_reported_not_looped_on():
    scheme = tiny_scheme()
    assert capacity(scheme) == 10
    assert len(set(generate_many(scheme, "10", 10, random.Random(0)))) == 10
    with pytest.raises(SerialSpaceExhausted):
        list(generate_many(scheme, "10", 11, random.Random(0)))
    calls = 0

    def everything_taken(number: str) -> bool:
        nonlocal calls
        calls += 1
        return True

    with pytest.raises(SerialSpaceExhausted):
        next(generate_many(scheme, "10", 1, random.Random(0), exclude=everything_taken))
    assert calls == MAX_CONSECUTIVE_COLLISIONS


def test_a_nearly_full_range_still_issues():
    # 900 of 1,000 serials taken: over two thousand draws collide in total, but never a
    # thousand in a row, so the run must finish
    scheme = default_scheme_dict()
    scheme["segments"][1]["length"] = 3
    scheme["display"] = "######"
    small = Scheme.from_dict(scheme)
    taken = lambda number: int(number[2:5]) < 900  # noqa: E731
    issued = list(generate_many(small, "10", 90, random.Random(11), exclude=taken))
    assert len(set(issued)) == 90
    assert all(int(n[2:5]) >= 900 and small.is_valid(n) for n in issued)


def test_a_hundred_thousand_numbers_in_well_under_ten_seconds(default_set):
    started = time.perf_counter()
    count = sum(1 for _ in generate_many(default_set.default, "30", 100_000, random.Random(0)))
    assert count == 100_000
    assert time.perf_counter() - started < 5
