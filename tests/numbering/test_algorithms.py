from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import damm
from stdnum.exceptions import InvalidChecksum as StdnumInvalidChecksum

from bot.numbering import ALGORITHMS, InvalidChecksum, InvalidFormat, NumberError, get_algorithm
from bot.numbering.characters import ALPHANUMERIC, DIGITS

from .conftest import JUNK

# python-stdnum's own published vectors (doctests and tests/test_*.doctest).
VALID = {
    "luhn": ["49927398716", "490154203237518", "1428572", "3984382462386423786482364872364827347"],
    "verhoeff": ["1428570", "6548", "1234567890120", "12340"],
    "damm": ["5724", "57240", "4388123456790"],
    "iso7064_mod_11_10": ["12323", "546794", "07945", "002006673085", "794623"],
    "iso7064_mod_11_2": ["07940", "079X", "000000012281955X"],  # the last from stdnum.isni
    "iso7064_mod_37_2": ["G123489654321Y", "G123498654321H"],
    "iso7064_mod_37_36": ["A12425GABC1234002M"],
    "iso7064_mod_97_10": ["536702", "530397", "9999123456789012141490", "08686001256515001121751"],
    # stdnum has no Luhn mod 36 vectors (only other alphabets): these were computed with
    # stdnum and cross-checked against Wikipedia's Luhn mod N reference algorithm.
    "luhn_mod_n": ["MB12345678", "A1B2C3R", "HELLOJ", "ZZZZ4"],
}
INVALID = {
    "luhn": ["4992739871", "49927398717"],
    "verhoeff": ["654", "123459", "1234"],
    "damm": ["572", "5742", "5725"],
    "iso7064_mod_11_10": ["002006673084"],
    "iso7064_mod_11_2": ["000000011111955X", "07941"],
    "iso7064_mod_37_2": ["G123489654321Z"],
    "iso7064_mod_37_36": ["A12425GABC1234002Q"],
    "iso7064_mod_97_10": ["536703", "9999123456789012141491"],
    "luhn_mod_n": ["A1B2C3S", "HELLOK"],
}
CHECKS = [
    ("luhn", "4992739871", "6"),
    ("luhn", "142857", "2"),
    ("verhoeff", "1234", "0"),
    ("damm", "572", "4"),
    ("iso7064_mod_11_10", "0794", "5"),
    ("iso7064_mod_11_10", "00200667308", "5"),
    ("iso7064_mod_11_2", "0794", "0"),
    ("iso7064_mod_11_2", "079", "X"),
    ("iso7064_mod_37_2", "G123489654321", "Y"),
    ("iso7064_mod_37_2", "G123498654321", "H"),
    ("iso7064_mod_37_36", "A12425GABC1234002", "M"),
    ("iso7064_mod_97_10", "99991234567890121414", "90"),
    ("iso7064_mod_97_10", "4354111611551114", "31"),
    ("luhn_mod_n", "MB1234567", "8"),
]


def test_registry_holds_exactly_the_documented_algorithms():
    assert set(ALGORITHMS) == set(VALID)


@pytest.mark.parametrize(("name", "number"), [(n, x) for n, xs in VALID.items() for x in xs])
def test_published_valid_vectors(name, number):
    assert get_algorithm(name).validate(number) == number
    assert get_algorithm(name).is_valid(number)


@pytest.mark.parametrize(("name", "number"), [(n, x) for n, xs in INVALID.items() for x in xs])
def test_published_invalid_vectors(name, number):
    algorithm = get_algorithm(name)
    with pytest.raises(StdnumInvalidChecksum) as caught:
        algorithm.validate(number)
    assert caught.value.kind == "checksum"
    assert not algorithm.is_valid(number)


@pytest.mark.parametrize(("name", "payload", "check"), CHECKS)
def test_published_check_characters(name, payload, check):
    assert get_algorithm(name).calc_check(payload) == check


@pytest.mark.parametrize(
    ("name", "check_chars", "check_length"),
    [
        ("damm", DIGITS, 1),
        ("iso7064_mod_11_2", DIGITS + "X", 1),
        ("iso7064_mod_37_2", ALPHANUMERIC + "*", 1),
        ("iso7064_mod_97_10", DIGITS, 2),
        ("luhn_mod_n", ALPHANUMERIC, 1),
    ],
)
def test_adapters_declare_what_they_can_produce(name, check_chars, check_length):
    algorithm = get_algorithm(name)
    assert algorithm.check_chars == check_chars
    assert algorithm.check_length == check_length


def test_adapter_refuses_digits_stdnum_would_read_through_int():
    # stdnum's damm calls int() per character, which reads Arabic-Indic digits: the
    # adapter insists on ASCII so a number is only valid in one spelling.
    assert damm.is_valid("٥٧٢٤")
    with pytest.raises(InvalidFormat) as caught:
        get_algorithm("damm").validate("٥٧٢٤")
    assert caught.value.details == {"character": "٥", "position": 0, "expected": "digit"}


def test_mod_11_2_x_is_only_a_check_character():
    algorithm = get_algorithm("iso7064_mod_11_2")
    assert algorithm.is_valid("079X")
    with pytest.raises(InvalidFormat) as caught:
        algorithm.validate("0X9X")
    assert caught.value.details["position"] == 1


def test_case_sensitive_stdnum_algorithms_get_upper_case_only():
    assert not get_algorithm("iso7064_mod_37_36").is_valid("a12425gabc1234002m")
    assert not get_algorithm("luhn_mod_n").is_valid("hello" + "j")


def test_unknown_algorithm_lists_the_known_ones():
    with pytest.raises(KeyError, match="damm"):
        get_algorithm("crc32")


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@pytest.mark.parametrize("junk", JUNK, ids=lambda j: repr(j)[:12])
def test_junk_raises_only_validation_errors(name, junk):
    algorithm = get_algorithm(name)
    try:
        accepted = algorithm.validate(junk) == junk
    except NumberError:  # our subclasses of stdnum's ValidationError, nothing else
        accepted = False
    assert algorithm.is_valid(junk) is accepted
    if not isinstance(junk, str) or not junk.isascii() or not junk.isalnum():
        assert not accepted


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_algorithm_catches_every_single_substitution(name, data):
    algorithm = get_algorithm(name)
    alphabet = DIGITS if algorithm.native == "digits" else ALPHANUMERIC
    payload = data.draw(st.text(alphabet=alphabet, min_size=1, max_size=20), label="payload")
    number = payload + algorithm.calc_check(payload)
    assert algorithm.validate(number) == number
    position = data.draw(st.integers(0, len(number) - 1), label="position")
    chars = algorithm.check_chars if position >= len(payload) else alphabet
    wrong = data.draw(st.sampled_from([c for c in chars if c != number[position]]), label="wrong")
    with pytest.raises(InvalidChecksum):
        algorithm.validate(number[:position] + wrong + number[position + 1 :])

