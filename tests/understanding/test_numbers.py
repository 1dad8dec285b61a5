import pytest

from bot.understanding.numbers import read_cardinal, read_ordinal


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("twenty one", ("21", 2, False)),
        ("ten", ("10", 1, False)),
        ("nineteen", ("19", 1, False)),
        ("eighty", ("80", 1, False)),
        ("one hundred", ("100", 2, True)),
        ("hundred", ("100", 1, True)),
        ("three hundred and five", ("305", 4, True)),
        ("three hundred twenty one", ("321", 4, True)),
        ("nineteen hundred", ("1900", 2, True)),
        ("two thousand", ("2000", 2, True)),
        ("two thousand and five", ("2005", 4, True)),
        ("two thousand three hundred", ("2300", 4, True)),
        ("a thousand", None),
    ],
)
def test_read_cardinal(words, expected):
    assert read_cardinal(words.split(), 0) == expected


def test_single_digits_are_characters_not_cardinals():
    # word2number sums "one two three" to 6; here a lone digit word is not a number at all.
    assert read_cardinal(["one", "two", "three"], 0) is None
    assert read_cardinal(["zero"], 0) is None


def test_and_without_a_number_after_it_is_left_alone():
    assert read_cardinal("one hundred and then".split(), 0) == ("100", 2, True)


def test_cardinal_reads_from_the_given_index():
    assert read_cardinal("it is forty two".split(), 2) == ("42", 4, False)
    assert read_cardinal(["forty"], 5) is None


@pytest.mark.parametrize(
    ("words", "expected"),
    [("third", (3, 1)), ("twenty third", (23, 2)), ("thirty first", (31, 2)),
     ("twelfth", (12, 1)), ("twentieth", (20, 1)), ("twenty", None), ("march", None)],
)
def test_read_ordinal(words, expected):
    assert read_ordinal(words.split(), 0) == expected
