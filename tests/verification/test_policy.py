"""Policies as data: every combination of answers against all-of, N-of-M, any-of and nested rules;
and each mistake in policy.yaml reported where it is."""
from __future__ import annotations

from itertools import combinations

import pytest

from bot.verification.factors import FACTORS
from bot.verification.policy import parse_policy
from bot.verification.policy_file import Limit, parse_policy_file

KNOWN = set(FACTORS)
WEAK = frozenset({"name", "caller_id"})


def policy(spec):
    found, problems = parse_policy("p", spec, KNOWN, WEAK)
    assert found is not None, problems
    return found


def every_answer(factors):
    """Every subset of factors passed, as result mappings (the others failed)."""
    for size in range(len(factors) + 1):
        for passed in combinations(factors, size):
            yield set(passed), {f: f in passed for f in factors}


def test_all_of_needs_every_factor():
    rule = policy({"all_of": ["date_of_birth", "postcode", "pin"]})
    for passed, results in every_answer(rule.factors):
        assert rule.passes(results) is (len(passed) == 3), passed


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_n_of_m_passes_exactly_when_n_or_more_pass(n):
    factors = ["date_of_birth", "postcode", "email", "last_four"]
    rule = policy({"at_least": n, "of": factors})
    outcomes = {frozenset(passed): rule.passes(results) for passed, results in every_answer(factors)}
    assert len(outcomes) == 16
    for passed, passes in outcomes.items():
        assert passes is (len(passed) >= n), (n, passed)


def test_the_older_factors_spelling_still_works():
    assert policy({"at_least": 1, "factors": ["pin", "postcode"]}).passes({"pin": True})


def test_any_of_and_a_rule_inside_a_rule():
    rule = policy({"all_of": ["date_of_birth", {"any_of": ["postcode", "pin"]}]})
    assert rule.factors == ("date_of_birth", "postcode", "pin")
    table = {
        (): False, ("date_of_birth",): False, ("postcode", "pin"): False,
        ("date_of_birth", "postcode"): True, ("date_of_birth", "pin"): True, ("date_of_birth", "postcode", "pin"): True,
    }
    for passed, expected in table.items():
        assert rule.passes({f: True for f in passed}) is expected, passed
    assert rule.passed({"date_of_birth": True, "postcode": False, "pin": True}) == ["date_of_birth", "pin"]


def test_a_result_must_be_true_not_merely_present():
    rule = policy({"all_of": ["date_of_birth"]})
    assert not rule.passes({"date_of_birth": False})
    assert not rule.passes({"date_of_birth": "yes"})  # only True counts


def test_caller_id_counts_only_where_a_policy_lists_it():
    with_caller_id = policy({"at_least": 2, "of": ["caller_id", "date_of_birth", "postcode"]})
    without = policy({"all_of": ["date_of_birth", "postcode"]})
    assert with_caller_id.passes({"caller_id": True, "date_of_birth": True})
    assert not without.passes({"caller_id": True, "date_of_birth": True})


@pytest.mark.parametrize("spec", [
    {"any_of": ["caller_id", "date_of_birth"]},
    {"at_least": 2, "of": ["name", "caller_id", "pin"]},
    {"all_of": ["name"]},
])
def test_a_policy_weak_factors_alone_could_pass_is_refused(spec):
    found, problems = parse_policy("p", spec, KNOWN, WEAK)
    assert found is None
    assert "weak" in problems[0][1]


@pytest.mark.parametrize("spec, path, words", [
    ({"all_of": ["date_of_birth", "shoe_size"]}, ("all_of", 1), "unknown factor 'shoe_size'"),
    ({"at_least": 3, "of": ["pin", "postcode"]}, ("at_least",), "only 2 are listed"),
    ({"at_least": 0, "of": ["pin"]}, ("at_least",), "at least 1"),
    ({"all_of": []}, ("all_of",), "non-empty list"),
    ({"all_of": ["pin"], "any_of": ["postcode"]}, (), "exactly one"),
    ({"all_of": ["pin", "pin"]}, ("all_of", 1), "listed twice"),
    ({"all_of": ["pin", {"at_least": 2, "of": ["postcode"]}]}, ("all_of", 1, "at_least"), "only 1 are listed"),
    ({"all_of": ["pin"], "colour": "red"}, ("colour",), "unknown field 'colour'"),
])
def test_mistakes_name_their_place(spec, path, words):
    found, problems = parse_policy("p", spec, KNOWN, WEAK)
    assert found is None
    assert any(p == path and words in m for p, m in problems), problems


def test_the_policy_file_as_a_whole():
    config, problems = parse_policy_file({
        "policies": {"default": {"all_of": ["date_of_birth", "postcode"]}},
        "departments": {"billing": {"require": ["one_time_code"]}},
        "lockout": {"threshold": 5, "window_hours": 12},
        "velocity": {"caller_id": {"threshold": 4, "window_minutes": 30}},
        "factors": {"name": {"first_threshold": 0.95}},
    })
    assert problems == []
    assert config.requirements == {"billing": ("one_time_code",)}
    assert (config.lockout.threshold, config.lockout.window_hours) == (5, 12)
    assert config.velocity.caller_id == Limit(4, 30)
    assert config.velocity.client_address == Limit(10, 60)  # the default
    assert (config.name.first_threshold, config.name.last_threshold) == (0.95, 0.92)


def test_defaults_are_three_failures_in_twenty_four_hours():
    config, problems = parse_policy_file({"policies": {"p": {"all_of": ["pin"]}}})
    assert problems == []
    assert (config.lockout.threshold, config.lockout.window_hours) == (3, 24)


@pytest.mark.parametrize("extra, path, words", [
    ({"departments": {"billing": {"require": ["shoe_size"]}}}, ("departments", "billing", "require", 0), "unknown factor"),
    ({"departments": {"billing": ["one_time_code"]}}, ("departments", "billing"), "require"),
    ({"velocity": {"caller_id": {"threshold": 0}}}, ("velocity", "caller_id", "threshold"), "1 to 10000"),
    ({"velocity": {"per_moon": {}}}, ("velocity", "per_moon"), "unknown field"),
    ({"lockout": {"threshold": 0}}, ("lockout", "threshold"), "1 to 100"),
    ({"lockout": {"window_hours": 0}}, ("lockout", "window_hours"), "hours"),
    ({"factors": {"name": {"first_threshold": 0.2}}}, ("factors", "name", "first_threshold"), "0.5 to 1.0"),
    ({"factors": {"pin": {"length": 4}}}, ("factors", "pin"), "no settings"),
    ({"colour": "red"}, ("colour",), "unknown field"),
])
def test_policy_file_mistakes_name_their_place(extra, path, words):
    _, problems = parse_policy_file({"policies": {"p": {"all_of": ["pin"]}}, **extra})
    assert any(p == path and words in m for p, m in problems), problems
