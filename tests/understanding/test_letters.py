import pytest

from bot.understanding.letters import example_letter, letter_of, spelled_letter


@pytest.mark.parametrize(
    ("word", "letter"),
    [("alfa", "A"), ("alpha", "A"), ("juliett", "J"), ("juliet", "J"), ("whisky", "W"),
     ("whiskey", "W"), ("xray", "X"), ("bee", "B"), ("zed", "Z"), ("zee", "Z"), ("aitch", "H"),
     ("el", "L"), ("ell", "L"), ("cue", "Q"), ("ess", "S"), ("vee", "V")],
)
def test_letter_of(word, letter):
    assert letter_of(word) == letter


@pytest.mark.parametrize("word", ["be", "see", "you", "why", "boy", "", "one"])
def test_ordinary_words_are_not_certain_letters(word):
    assert letter_of(word) is None


def test_example_word_gives_its_first_letter_or_nato_letter():
    assert example_letter("boy") == "B"
    assert example_letter("mike") == "M"
    assert example_letter("x") is None  # too short to be an example
    assert example_letter("five") is None  # "B for five" is not spelling
    assert example_letter("to") is None
    assert example_letter("émile") is None


@pytest.mark.parametrize(
    ("words", "expected"),
    [("as in boy", ("B", 3)), ("for boy", ("B", 2)), ("like boy", ("B", 2)),
     ("as in the word boy", ("B", 5)), ("for five", None), ("as in", None), ("boy", None)],
)
def test_spelled_letter(words, expected):
    assert spelled_letter(words.split(), 0) == expected
