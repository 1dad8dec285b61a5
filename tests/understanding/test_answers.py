import pytest

from bot.understanding import read_yes_no


@pytest.mark.parametrize(
    "text", ["yes", "Yeah.", "yep", "correct", "that's right", "right", "sure", "yes please", "uh huh"]
)
def test_yes(text):
    assert read_yes_no(text) is True


@pytest.mark.parametrize(
    "text", ["no", "nope", "wrong", "incorrect", "that's not right", "no it is not", "not correct"]
)
def test_no(text):
    assert read_yes_no(text) is False


@pytest.mark.parametrize("text", ["yes no", "no that's right", "I'm not sure", "ok", "", "maybe"])
def test_unclear(text):
    assert read_yes_no(text) is None


def test_negated_agreement_is_not_a_yes():
    # "right" appears in both; only the negation decides.
    assert read_yes_no("right") is True
    assert read_yes_no("not right") is False
