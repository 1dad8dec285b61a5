import pytest

from bot.understanding import ThresholdError, names_match
from bot.understanding.names import first_names_match, name_parts, surnames_match


@pytest.mark.parametrize(
    ("given", "on_file"),
    [("Jon Smyth", "John Smith"), ("Bob Jones", "Robert Jones"), ("john smith", "JOHN SMITH"),
     ("my name is Mr John O'Brien", "John OBrien"), ("Zoë Brown", "Zoe Brown"),
     ("Steven Philips", "Stephen Phillips"), ("Catherine Thompson", "Katherine Thomson"),
     ("Mary Jones", "Mary Smith-Jones"), ("Mary Ann Smith", "Mary Smith"), ("Bobby Jones", "Rob Jones")],
)
def test_same_person(given, on_file):
    assert names_match(given, on_file)


@pytest.mark.parametrize(
    ("given", "on_file"),
    [("Jane Smith", "John Smith"), ("Joan Smith", "John Smith"), ("Michael Brown", "Michelle Brown"),
     ("Eric Johnson", "Erica Johnson"), ("Paul Allen", "Paula Allen"), ("Jon Smith", "John Smithers"),
     ("John Smith", "John Jones"), ("John", "John Smith"), ("J Smith", "John Smith"), ("", "John Smith"),
     ("John Smith", "")],
)
def test_different_or_not_enough(given, on_file):
    assert not names_match(given, on_file)


def test_whole_name_ratio_would_have_accepted_jane():
    # The reason names are compared part by part: rapidfuzz scores Jane/John Smith 80.
    from rapidfuzz import fuzz, utils

    assert fuzz.ratio("Jane Smith", "John Smith", processor=utils.default_process) >= 80
    assert not names_match("Jane Smith", "John Smith")


def test_thresholds_are_passed_in():
    assert names_match("Jhon Smith", "John Smith")  # a typo: neither a nickname nor a homophone
    assert not names_match("Jhon Smith", "John Smith", first_threshold=0.99)
    assert names_match("John Smitt", "John Smith", last_threshold=0.90)
    assert not names_match("John Smitt", "John Smith", last_threshold=0.99)


@pytest.mark.parametrize("bad", [-0.1, 1.5, 90])
def test_thresholds_are_similarities_not_scores(bad):
    with pytest.raises(ThresholdError):
        names_match("a b", "a b", first_threshold=bad)


def test_first_names_never_match_by_sound_alone():
    assert not first_names_match("jane", "john")  # both JN in metaphone
    assert surnames_match("smith", "smyth")


def test_name_parts():
    assert name_parts("It's Dr. Anne-Marie O'Neil") == ["anne-marie", "oneil"]
    assert name_parts("") == []


def test_a_different_given_name_linked_by_the_nickname_table_is_not_accepted():
    """Issue 13, finding 12: the nicknames data lists Emma under Emily; they are two people."""
    assert not names_match("Emily Watson", "Emma Watson")
    assert not names_match("Emma Watson", "Emily Watson")
    assert not names_match("Jack Smith", "John Smith")
    assert names_match("Bob Jones", "Robert Jones") and names_match("Kate Jones", "Katherine Jones")
