from __future__ import annotations

import pytest

from bot.numbering import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, NumberError, SchemeSet

from .conftest import JUNK, LEGACY_VALID, MEMBER_VALID


def test_numbers_are_told_apart_by_length(legacy_set):
    match = legacy_set.validate("10 1234 5679")
    assert (match.scheme.name, match.number, match.prefix.code) == ("customer", "1012345679", "10")
    match = legacy_set.validate(LEGACY_VALID)
    assert (match.scheme.name, match.number, match.prefix) == ("legacy", LEGACY_VALID, None)


def test_a_length_no_scheme_has_lists_all_lengths(legacy_set):
    with pytest.raises(InvalidLength) as caught:
        legacy_set.validate("123")
    assert caught.value.details == {"expected": [8, 10], "got": 3}
    assert "8 or 10" in str(caught.value)


def test_a_character_no_scheme_has_comes_before_length(legacy_set):
    with pytest.raises(InvalidFormat) as caught:
        legacy_set.validate("12#")
    assert type(caught.value) is InvalidFormat
    assert caught.value.details == {"character": "#", "position": 2, "expected": "digit"}


def test_letters_in_a_digits_only_set_are_format_errors(legacy_set):
    with pytest.raises(InvalidFormat) as caught:
        legacy_set.validate("MB1234567O")
    assert caught.value.details["character"] == "M"


@pytest.mark.parametrize(
    ("text", "error", "scheme_detail"),
    [
        ("1012345670", InvalidChecksum, {"algorithm": "damm"}),  # not "M expected" from the member scheme
        ("MB1234567Q", InvalidChecksum, {"algorithm": "iso7064_mod_37_36"}),
        ("ZZ1234567O", InvalidComponent, {"prefix": "ZZ"}),  # not "Z is not a digit"
        ("9912345679", InvalidComponent, {"prefix": "99"}),
    ],
)
def test_same_length_schemes_report_the_error_that_got_furthest(mixed_set, text, error, scheme_detail):
    with pytest.raises(error) as caught:
        mixed_set.validate(text)
    assert scheme_detail.items() <= caught.value.details.items()


def test_mixed_set_matches_both_kinds(mixed_set):
    assert mixed_set.validate("mb1234567o").scheme.name == "member"
    assert mixed_set.validate("3012345676").prefix.department == "insurance"
    assert mixed_set.alphanumeric


def test_set_properties(legacy_set, default_set):
    assert legacy_set.lengths == (8, 10)
    assert legacy_set.default.name == "customer"
    assert legacy_set.get("legacy").length == 8
    assert legacy_set.get("nope") is None
    assert not legacy_set.alphanumeric
    assert len(default_set) == 1


def test_format_and_readback_follow_the_matching_scheme(legacy_set, mixed_set):
    assert legacy_set.format(LEGACY_VALID) == "1234 5674"
    assert legacy_set.format("1012345679") == "10 1234 5679"
    assert legacy_set.format("12345670") == "1234 5670"  # wrong check, still readable
    assert mixed_set.spoken_groups(MEMBER_VALID)[0] == ["Mike", "Bravo"]
    with pytest.raises(InvalidLength):
        legacy_set.format("123")


def test_prefix_of_and_is_valid(legacy_set):
    assert legacy_set.prefix_of("2012345678").meaning == "Business banking"
    assert legacy_set.is_valid(LEGACY_VALID)
    assert not legacy_set.is_valid("12345675")


@pytest.mark.parametrize("junk", JUNK, ids=lambda j: repr(j)[:12])
def test_junk_sweep_over_sets(legacy_set, mixed_set, junk):
    for schemes in (legacy_set, mixed_set):
        for method in (schemes.validate, schemes.format, schemes.spoken_groups, schemes.prefix_of):
            with pytest.raises(NumberError):
                method(junk)
        assert schemes.is_valid(junk) is False
        try:
            assert schemes.keypad_candidates(junk) == []
        except InvalidFormat:
            pass


def test_empty_set_is_refused():
    with pytest.raises(ValueError):
        SchemeSet([])
