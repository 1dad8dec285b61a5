from __future__ import annotations

import random

from bot.numbering import NATO, Scheme
from bot.numbering.spoken import tokens

from .conftest import MEMBER_VALID, default_scheme_dict


def test_default_number_is_read_digit_by_digit_in_display_groups(default_set):
    assert default_set.default.spoken_groups("1012345679") == [["1", "0"], ["1", "2", "3", "4"], ["5", "6", "7", "9"]]


def test_letters_are_read_as_nato_words(member_set):
    assert member_set.default.spoken_groups(MEMBER_VALID.lower()) == [
        ["Mike", "Bravo"],
        ["1", "2", "3", "4", "5", "6", "7"],
        ["Oscar"],
    ]


def test_nato_alphabet_is_complete_and_unambiguous():
    assert sorted(NATO) == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert len(set(NATO.values())) == 26
    assert all(word[0] == letter for letter, word in NATO.items())


def test_awkward_check_characters_have_words():
    assert tokens("9X*") == ["9", "X-ray", "star"]


def test_readback_of_a_star_check_character():
    scheme = default_scheme_dict()
    scheme["alphabet"] = "alphanumeric"
    scheme["segments"][2] = {"kind": "check", "algorithm": "iso7064_mod_37_2", "allow_check_characters": "*"}
    customer = Scheme.from_dict(scheme)
    rng = random.Random(5)
    number = next(n for n in (customer.generate("20", rng) for _ in range(2000)) if n.endswith("*"))
    assert customer.spoken_groups(number)[-1][-1] == "star"
