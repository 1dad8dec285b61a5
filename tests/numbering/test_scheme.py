from __future__ import annotations

import pytest
import stdnum.exceptions
from stdnum import damm
from stdnum.iso7064 import mod_37_36

from bot.numbering import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, NumberError, Prefix

from .conftest import DEFAULT_VALID, JUNK, MEMBER_VALID


def test_literal_examples_agree_with_stdnum():
    for number in DEFAULT_VALID:
        assert damm.calc_check_digit(number[:9]) == number[9]
    assert mod_37_36.calc_check_digit(MEMBER_VALID[:9]) == MEMBER_VALID[9]


@pytest.mark.parametrize("text", ["1012345679", "10 1234 5679", " 10-1234-5679 ", "١٠١٢٣٤٥٦٧٩", "１０１２３４５６７９"])
def test_validate_returns_the_compact_number(default_set, text):
    assert default_set.default.validate(text) == "1012345679"
    assert default_set.default.is_valid(text)


@pytest.mark.parametrize(
    ("text", "error", "details"),
    [
        ("10123456", InvalidLength, {"expected": [10], "got": 8}),
        ("101234567912", InvalidLength, {"expected": [10], "got": 12}),
        ("101#345679", InvalidFormat, {"character": "#", "position": 3, "expected": "digit"}),
        ("10123456A9", InvalidFormat, {"character": "A", "position": 8, "expected": "digit"}),
        ("9912345678", InvalidComponent, {"prefix": "99", "expected": ["10", "20", "30"]}),
        ("1012345670", InvalidChecksum, {"algorithm": "damm", "position": 9}),
    ],
)
def test_each_error_has_its_kind_and_details(default_set, text, error, details):
    with pytest.raises(error) as caught:
        default_set.default.validate(text)
    assert type(caught.value) is error
    assert caught.value.kind == {InvalidLength: "length", InvalidFormat: "format"}.get(error, caught.value.kind)
    assert caught.value.details == details
    assert default_set.default.label in str(caught.value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("99#", "format"),  # characters before length
        ("9912", "length"),  # length before prefix
        ("9912345670", "component"),  # prefix before check (this one's check is also wrong)
    ],
)
def test_checks_run_characters_length_prefix_check(default_set, text, kind):
    with pytest.raises(NumberError) as caught:
        default_set.default.validate(text)
    assert caught.value.kind == kind


def test_errors_are_caught_by_stdnum_classes(default_set):
    with pytest.raises(stdnum.exceptions.InvalidChecksum):
        default_set.default.validate("1012345670")
    with pytest.raises(stdnum.exceptions.InvalidFormat):  # stdnum: InvalidLength is an InvalidFormat
        default_set.default.validate("1")


def test_alphanumeric_positions(member_set):
    member = member_set.default
    assert member.validate("mb 1234567 o") == MEMBER_VALID
    with pytest.raises(InvalidFormat) as caught:
        member.validate("1B1234567O")
    assert caught.value.details == {"character": "1", "position": 0, "expected": "letter"}
    with pytest.raises(InvalidFormat) as caught:
        member.validate("MBA234567O")
    assert caught.value.details == {"character": "A", "position": 2, "expected": "digit"}
    with pytest.raises(InvalidComponent) as caught:
        member.validate("ZZ1234567O")
    assert caught.value.details["prefix"] == "ZZ"
    with pytest.raises(InvalidChecksum):
        member.validate("MB1234567Q")


def test_prefix_of(default_set, legacy_set):
    assert default_set.default.prefix_of("20 1234 5678") == Prefix("20", "Business banking", "business")
    with pytest.raises(InvalidComponent):
        default_set.default.prefix_of("4012345678")
    assert legacy_set.get("legacy").prefix_of("12345674") is None


def test_format_groups_per_display(default_set, member_set, legacy_set):
    assert default_set.default.format("1012345679") == "10 1234 5679"
    assert member_set.default.format("mb1234567o") == "MB 1234567 O"
    assert legacy_set.get("legacy").format("1234-5674") == "1234 5674"


def test_format_reads_back_a_wrong_check_digit_but_not_a_wrong_layout(default_set):
    # the bot says what it heard before saying it is wrong
    assert default_set.default.format("1012345670") == "10 1234 5670"
    with pytest.raises(InvalidLength):
        default_set.default.format("101234567")
    with pytest.raises(InvalidFormat):
        default_set.default.format("10123456#0")


def test_alphanumeric_property(default_set, member_set):
    assert not default_set.default.alphanumeric
    assert member_set.default.alphanumeric


@pytest.mark.parametrize("junk", JUNK, ids=lambda j: repr(j)[:12])
def test_junk_sweep_over_every_scheme(all_schemes, junk):
    for scheme in all_schemes:
        for method in (scheme.validate, scheme.format, scheme.spoken_groups, scheme.prefix_of):
            with pytest.raises(NumberError):
                method(junk)
        assert scheme.is_valid(junk) is False
        try:
            assert scheme.keypad_candidates(junk) == []
        except NumberError:
            pass


def test_non_text_is_a_format_error_not_a_type_error(default_set):
    for value in (None, 1012345679, b"1012345679"):
        with pytest.raises(InvalidFormat) as caught:
            default_set.default.validate(value)
        assert caught.value.details == {"got": type(value).__name__}
