import pytest

from bot.understanding import is_withheld_caller_id, read_last_four, read_phone


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [("07911 123456", "GB", "+447911123456"), ("+44 7911 123456", "GB", "+447911123456"),
     ("oh seven nine one one one two three four five six", "GB", "+447911123456"),
     ("plus four four seven nine one one one two three four five six", "GB", "+447911123456"),
     ("double oh four four seven nine one one one two three four five six", "GB", "+447911123456"),
     ("020 7946 0018", "GB", "+442079460018"), ("(415) 555-2671", "US", "+14155552671"),
     ("+1 415 555 2671", "GB", "+14155552671")],
)
def test_read_phone(text, region, e164):
    assert read_phone(text, region=region) == e164


@pytest.mark.parametrize("text", ["ten", "07911 12345", "(415) 555-2671", "", "hello", "oh " * 500])
def test_read_phone_rejects(text):
    assert read_phone(text) is None  # region GB: a US number without +1 is not valid here


@pytest.mark.parametrize(
    ("text", "digits"),
    [("the last four digits are 4 3 2 1", "4321"), ("last four 1 2 3 4", "1234"),
     ("it ends in four three two one", "4321"), ("9876", "9876")],
)
def test_read_last_four(text, digits):
    assert read_last_four(text) == digits


@pytest.mark.parametrize("text", ["123", "12345", "I don't know", "", "one two three four five"])
def test_read_last_four_rejects(text):
    assert read_last_four(text) is None


@pytest.mark.parametrize(
    "value",
    [None, "", "anonymous", "Anonymous", "restricted", "unknown", "client:alice", "+266696687",
     "+7378742833", "+2562533", "+8656696", "+86282452253", "266696687", " private ",
     "client:agent007"],
)
def test_withheld(value):
    assert is_withheld_caller_id(value)


@pytest.mark.parametrize("value", ["+447911123456", "+14155550100", "whatsapp:+447911123456"])
def test_not_withheld(value):
    assert not is_withheld_caller_id(value)


def test_two_valid_numbers_read_equally_well_give_none():
    # "for" may be a leading 4 and "to" a trailing 2: both readings are valid US numbers.
    assert read_phone("4646555012", region="US") == "+14646555012"
    assert read_phone("6465550122", region="US") == "+16465550122"
    assert read_phone("for 646 555 012 to", region="US") is None
