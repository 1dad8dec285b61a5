from datetime import date

import pytest

from bot.understanding import DateLayoutError, DateReading, read_date, read_keypad_date

from .conftest import TODAY

MARCH_3 = DateReading(date(1985, 3, 3), False, (), None)


def read(text, day_first=True):
    return read_date(text, day_first=day_first, today=TODAY)


@pytest.mark.parametrize(
    "text",
    ["3rd of March 1985", "the third of March nineteen eighty five", "March third nineteen eighty-five",
     "03/03/1985", "3-3-85", "1985-03-03", "3 3 1985", "march 3 85", "3.3.1985", "03031985",
     "oh three oh three one nine eight five", "Mar 3, 1985", "the 3rd of the 3rd, 85"],
)
def test_every_common_form(text):
    assert read(text) == MARCH_3


def test_iso_is_year_first_whatever_day_first_says():
    assert read("1985-03-04", day_first=True).value == date(1985, 3, 4)
    assert read("1985-03-04", day_first=False).value == date(1985, 3, 4)
    assert not read("1985-03-04").ambiguous


def test_day_first_decides_numeric_order_and_flags_the_other():
    assert read("03/04/85") == DateReading(date(1985, 4, 3), True, (date(1985, 3, 4),), None)
    assert read("03/04/85", day_first=False) == DateReading(date(1985, 3, 4), True, (date(1985, 4, 3),), None)


def test_only_one_valid_order_is_not_ambiguous():
    assert read("13/04/1985", day_first=False) == DateReading(date(1985, 4, 13), False, (), None)
    assert read("04/13/1985") == DateReading(date(1985, 4, 13), False, (), None)


def test_an_ordinal_is_the_day():
    assert read("the twenty third of the eleventh nineteen seventy").value == date(1970, 11, 23)


def test_two_digit_years_are_in_the_past():
    assert read("1/1/24").value == date(2024, 1, 1)
    assert read("1/12/25").value == date(1925, 12, 1)  # December 2025 is still to come
    assert read("5/5/99").value == date(1999, 5, 5)


@pytest.mark.parametrize(
    ("text", "value"),
    [("twenty first of June two thousand and five", date(2005, 6, 21)),
     ("the fourteenth of February nineteen oh five", date(1905, 2, 14)),
     ("tenth of october twenty twenty", date(2020, 10, 10)),
     ("29/02/2000", date(2000, 2, 29))],
)
def test_spoken_years(text, value):
    assert read(text).value == value


@pytest.mark.parametrize(
    ("text", "error"),
    [("30 February 1990", "impossible"), ("29/02/2001", "impossible"), ("13/13/1990", "impossible"),
     ("01/01/1850", "impossible"), ("12/05/2030", "future"), ("March 1985", "incomplete"),
     ("March nineteen eighty five", "incomplete"), ("the third of March", "incomplete"),
     ("nineteen eighty five", "incomplete"), ("I don't know", "unreadable"), ("", "unreadable"),
     ("1 " * 40, "unreadable")],
)
def test_rejections_carry_a_reason(text, error):
    assert read(text) == DateReading(None, False, (), error)


def test_a_missing_day_is_never_invented():
    # dateutil's fuzzy mode would answer 1985-03-<today's day> here.
    assert read("March nineteen eighty five").value is None


def test_today_is_not_the_future():
    assert read_date("1 June 2025", today=TODAY).value == TODAY
    assert read_date("2 June 2025", today=TODAY).error == "future"


@pytest.mark.parametrize(
    ("keys", "layout", "value"),
    [("03041985", "DDMMYYYY", date(1985, 4, 3)), ("03041985", "MMDDYYYY", date(1985, 3, 4)),
     ("19850403", "YYYYMMDD", date(1985, 4, 3))],
)
def test_keypad_reads_the_announced_layout_only(keys, layout, value):
    assert read_keypad_date(keys, layout=layout, today=TODAY) == DateReading(value, False, (), None)


@pytest.mark.parametrize(
    ("keys", "error"),
    [("12252000", "impossible"), ("0303198", "incomplete"), ("", "incomplete"),
     ("030319851", "unreadable"), ("0303*985", "unreadable"), ("01012030", "future"),
     ("０３０３１９８５", "unreadable")],
)
def test_keypad_rejections(keys, error):
    assert read_keypad_date(keys, layout="DDMMYYYY", today=TODAY).error == error


def test_keypad_layout_must_be_known():
    with pytest.raises(DateLayoutError):
        read_keypad_date("03031985", layout="DDMMYY")
