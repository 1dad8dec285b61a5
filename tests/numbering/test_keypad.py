from __future__ import annotations

import random

import pytest

from bot.numbering import InvalidFormat, Scheme, keypad_form

from .conftest import MEMBER_VALID, default_scheme_dict


@pytest.mark.parametrize(
    ("number", "digits"),
    [
        ("MB1234567O", "6212345676"),
        ("mb 1234567 o", "6212345676"),
        ("AS7654321F", "2776543213"),
        ("PQRS WXYZ", "77779999"),
        ("1012345679", "1012345679"),
        ("G123489654321*", "4123489654321*"),
    ],
)
def test_keypad_form(number, digits):
    assert keypad_form(number) == digits


@pytest.mark.parametrize("junk", [None, 12, "12#", "é"])
def test_keypad_form_refuses_what_no_keypad_has(junk):
    with pytest.raises(InvalidFormat):
        keypad_form(junk)


def test_typed_member_number_comes_back_among_a_handful(member_set):
    found = member_set.default.keypad_candidates(keypad_form(MEMBER_VALID))
    assert MEMBER_VALID in found
    assert 1 <= len(found) <= 5
    assert found == sorted(found)
    assert member_set.keypad_candidates("6212345676") == found


def test_every_candidate_is_valid_and_types_the_same(member_set):
    member = member_set.default
    rng = random.Random(7)
    for _ in range(200):
        number = member.generate(rng.choice(["MB", "AS"]), rng)
        digits = keypad_form(number)
        found = member.keypad_candidates(digits)
        assert number in found
        assert all(member.is_valid(n) and keypad_form(n) == digits for n in found)


def test_candidates_need_a_known_prefix_and_a_matching_check(member_set):
    member = member_set.default
    assert member.keypad_candidates("3312345676") == []  # DD/EE/FF...: no such prefix
    # same keys, but the check key cannot hold MB1234567's check character 'O'
    assert member.keypad_candidates("6212345672") == []
    assert member.keypad_candidates("621234567") == []  # too short


def test_a_digits_scheme_offers_the_typed_number_itself(default_set):
    assert default_set.default.keypad_candidates("1012345679") == ["1012345679"]
    assert default_set.default.keypad_candidates("1012345670") == []
    assert default_set.keypad_candidates("10 1234 5679") == ["1012345679"]


def test_an_x_check_digit_is_typed_on_key_9():
    scheme = default_scheme_dict()
    scheme["segments"][2] = {"kind": "check", "algorithm": "iso7064_mod_11_2", "allow_check_characters": "X"}
    customer = Scheme.from_dict(scheme)
    rng = random.Random(3)
    number = next(n for n in (customer.generate("10", rng) for _ in range(500)) if n.endswith("X"))
    assert customer.keypad_candidates(number[:-1] + "9") == [number]
