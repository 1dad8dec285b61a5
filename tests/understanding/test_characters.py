import pytest

from bot.understanding import LayoutError, Reading, read_characters
from bot.understanding.characters import NOTHING

from .conftest import damm10

TEN = "DDDDDDDDDD"


def read(text, layout=None, accept=None):
    return read_characters(text, layout=layout, accept=accept)


@pytest.mark.parametrize(
    "text",
    ["1052601818", "105-260-1818", "10 52 60 18 18", "one zero five two six zero one eight one eight",
     "my number is 1 0 5 2 6 0 1 8 1 8 please", "1 0 5 ... 2 6 0 ... 1 8 1 8"],
)
def test_plainly_said_numbers_are_read_without_repair(text):
    assert read(text, TEN, damm10) == Reading("1052601818", ("1052601818",), False, False)


@pytest.mark.parametrize(
    ("text", "value"),
    [("4 5 6", "456"), ("456-077", "456077"), ("4,567", "4567"), ("ten twenty three", "1023"),
     ("twenty one", "21"), ("nineteen eighty five", "1985"), ("double five", "55"),
     ("triple nine", "999"), ("treble two", "222"), ("nought", "0")],
)
def test_recogniser_number_shapes(text, value):
    r = read(text, "D" * len(value))
    assert (r.value, r.repaired) == (value, False)


def test_tens_and_a_unit_may_be_pairs_or_a_pair_and_a_single():
    # "sixty one" is 61 in "ten fifty two sixty one", but 60 then 1 in "... sixty, one eight".
    assert read("twenty one").candidates == ("21", "201")
    assert read("twenty one").ambiguous
    assert read("twenty one", "DDD") == Reading("201", ("201",), True, False)


@pytest.mark.parametrize(("text", "value"), [("4:56", "456"), ("$4.56", "456"), ("4.56", "456")])
def test_money_and_time_shapes_are_read_but_flagged(text, value):
    r = read(text)
    assert (r.value, r.repaired) == (value, True)


def test_quantities_are_flagged():
    assert read("one hundred") == Reading("100", ("100",), True, False)


@pytest.mark.parametrize(
    ("text", "value"),
    [("won two three", "123"), ("one to three", "123"), ("one too three", "123"),
     ("one two tree", "123"), ("for five six", "456"), ("fore five six", "456"),
     ("seven ate nine", "789"), ("one oh two", "102")],
)
def test_homophones_are_read_and_flagged(text, value):
    r = read(text, "DDD")
    assert (r.value, r.repaired) == (value, True)


def test_oh_follows_the_layout():
    assert read("oh", "D").value == "0"
    assert read("oh", "A").value == "O"
    r = read("oh", "X")
    assert set(r.candidates) == {"0", "O"} and r.ambiguous


def test_oh_without_a_layout_is_zero_only_between_digits():
    assert read("one oh two").candidates == ("102",)
    assert "0" not in "".join(read("oh one two").candidates)


def test_for_is_four_only_where_a_digit_can_be():
    assert read("A for apple", "A").value == "A"
    assert read("one two three for", "DDDD").value == "1234"
    assert read("one two three for", "DDD").value == "123"
    assert read("one two three for", "DDD").repaired  # dropping a possible digit is a choice


def test_double_you_is_w_not_double_u():
    assert read("double you").value == "W"
    assert read("S double you one", "AAD").value == "SW1"


def test_infinitive_to_is_not_two():
    assert read("I want to give you 1 2 3", "DDD") == Reading("123", ("123",), False, False)


@pytest.mark.parametrize(
    ("text", "value", "repaired"),
    [("B as in boy", "B", False), ("B for boy", "B", False), ("M as in Mike", "M", False),
     ("bee as in boy", "B", False), ("be as in boy", "B", False),
     ("B as in David", "D", True), ("as in David", "D", True)],
)
def test_spelling_by_example(text, value, repaired):
    r = read(text, "A")
    assert (r.value, r.repaired) == (value, repaired)


@pytest.mark.parametrize(
    ("text", "value"),
    [("alpha bravo", "AB"), ("alfa juliett", "AJ"), ("x-ray", "X"), ("ex ray", "X"),
     ("whisky", "W"), ("fox trot", "F"), ("zed zee", "ZZ"), ("AB1234567X", "AB1234567X"),
     ("ab1234567x", "AB1234567X")],
)
def test_letters(text, value):
    assert read(text).value == value


def test_layout_rejects_a_number_that_is_too_short():
    assert read("my number is ten", TEN, damm10).value is None
    assert read("my number is ten", TEN).candidates == ()


def test_accept_picks_among_readings_and_none_when_nothing_passes():
    r = read("1052601819", TEN, damm10)  # wrong check digit
    assert r.value is None and r.candidates == ("1052601819",)
    r = read("AB1234567 oh", "AADDDDDDDX", accept=lambda s: s.endswith("O"))
    assert r.value == "AB1234567O" and not r.ambiguous and r.repaired


def test_two_accepted_readings_are_ambiguous():
    r = read("AB1234567 oh", "AADDDDDDDX", accept=lambda s: True)
    assert r.ambiguous and r.value in ("AB12345670", "AB1234567O")
    assert set(r.candidates) == {"AB12345670", "AB1234567O"}


def test_accept_that_raises_value_error_rejects():
    def validate(value):
        raise ValueError("bad checksum")

    assert read("1052601818", TEN, validate).value is None


def test_a_correction_keeps_what_follows_it_and_flags_it():
    r = read("1 0 5 sorry 1 0 6", "DDD")
    assert (r.value, r.repaired) == ("106", True)
    r = read("1 0 5 2 sorry", "DDDD")
    assert (r.value, r.repaired) == ("1052", True)


def test_leading_no_or_sorry_is_not_a_correction():
    assert read("no it's 1 2 3", "DDD") == Reading("123", ("123",), False, False)


def test_an_unknown_word_inside_the_number_is_a_repair():
    # "free" may be a misheard "three": the reading without it must be read back.
    r = read("one two free four five", "DDDD")
    assert (r.value, r.repaired) == ("1245", True)
    assert not read("banana one two four five", "DDDD").repaired


@pytest.mark.parametrize("layout", ["", "DDQ", "dd", "D" * 65, 7])
def test_malformed_layout_raises(layout):
    with pytest.raises(LayoutError):
        read("1", layout)


def test_layout_error_is_a_value_error():
    assert issubclass(LayoutError, ValueError)


@pytest.mark.parametrize("text", ["", "   ", "um", "🙂", "1" * 5000, "to " * 700])
def test_nothing_to_read(text):
    assert read(text, TEN) == NOTHING


def test_a_typed_letter_o_among_digits_may_be_zero_where_the_layout_says_digit():
    assert read("AB1O2", "AADDD") == Reading("AB102", ("AB102",), True, False)
    assert read("AB1O2").value == "AB1O2"  # no layout: keep what was typed
