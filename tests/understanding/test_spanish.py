"""The words Spanish callers use for digits, dates and yes/no in the Spanish flow."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.understanding import read_characters, read_date, read_yes_no

TODAY = dt.date(2026, 11, 23)


def test_spanish_digit_words():
    assert read_characters("uno cero dos tres cuatro cinco seis siete ocho uno").value == "1023456781"


@pytest.mark.parametrize("said", ["3 de marzo de 1985", "el tres de marzo de 1985", "3 marzo 1985"])
def test_spanish_dates(said):
    assert read_date(said, today=TODAY).value == dt.date(1985, 3, 3)


@pytest.mark.parametrize("said, meaning", [("sí", True), ("si", True), ("sí, correcto", True), ("no", False), ("claro", True)])
def test_spanish_yes_no(said, meaning):
    assert read_yes_no(said) is meaning


# Issue 13, finding 12: Spanish number words beyond single digits.

@pytest.mark.parametrize("said, expected", [
    ("tres de marzo de mil novecientos ochenta y cinco", dt.date(1985, 3, 3)),
    ("veinticinco de diciembre de mil novecientos ochenta", dt.date(1980, 12, 25)),
    ("uno de enero de dos mil cinco", dt.date(2005, 1, 1)),
])
def test_spanish_years_as_one_number(said, expected):
    assert read_date(said, today=TODAY).value == expected


def test_a_number_read_in_pairs():
    reading = read_characters("diez cincuenta y dos cuarenta y cinco sesenta y siete ochenta y uno", layout="DDDDDDDDDD")
    assert reading.value == "1052456781" and not reading.ambiguous


def test_digits_said_one_by_one_stay_digits():
    assert read_characters("uno cero dos tres", layout="DDDD").value == "1023"
