import pytest

from bot.understanding import CountryError, Postcode, postcodes_match, read_postcode


@pytest.mark.parametrize(
    ("text", "country", "value"),
    [("SW1A 1AA", "GB", "SW1A 1AA"), ("sw1a1aa", "GB", "SW1A 1AA"),
     ("sierra whiskey one alpha one alpha alpha", "GB", "SW1A 1AA"), ("M1 1AE", "GB", "M1 1AE"),
     ("B33 8TH", "GB", "B33 8TH"), ("DN55 1PT", "GB", "DN55 1PT"), ("W1A 0AX", "GB", "W1A 0AX"),
     ("EC1A 1BB", "GB", "EC1A 1BB"), ("GIR 0AA", "GB", "GIR 0AA"), ("90210", "US", "90210"),
     ("90210-1234", "US", "90210-1234"), ("nine oh two one oh", "US", "90210"),
     ("K1A 0B1", "CA", "K1A 0B1"), ("k one a zero b one", "CA", "K1A 0B1")],
)
def test_reads_and_normalises(text, country, value):
    assert read_postcode(text) == Postcode(country, value)


@pytest.mark.parametrize(
    "text", ["QA1 1AA", "SW1A 1CA", "SW1A", "1234", "K1A 0B", "D1A 0B1", "", "hello", "SW1A 1AAA"]
)
def test_rejects_what_the_official_patterns_do_not_allow(text):
    assert read_postcode(text) is None


def test_oh_is_a_letter_where_a_district_cannot_start_with_zero():
    assert read_postcode("pee oh one three ay ex") == Postcode("GB", "PO1 3AX")


def test_countries_restrict_the_readings():
    assert read_postcode("90210", countries=("GB",)) is None
    assert read_postcode("K1A 0B1", countries=("CA",)) == Postcode("CA", "K1A 0B1")
    with pytest.raises(CountryError):
        read_postcode("90210", countries=("FR",))


def test_repairs_are_flagged_but_do_not_change_equality():
    p = read_postcode("s w one a one a a")
    assert p == Postcode("GB", "SW1A 1AA") and p.repaired
    assert not read_postcode("SW1A 1AA").repaired


def test_digit_runs_that_are_not_a_zip_are_rejected():
    assert read_postcode("1 2 3 4 5 6 7") is None
    assert read_postcode("1 2 3 4 5 6 7 8 9") == Postcode("US", "12345-6789")


@pytest.mark.parametrize(
    ("given", "on_file", "expected"),
    [("SW1A1AA", "SW1A 1AA", True), ("sierra whiskey one alpha one alpha alpha", "sw1a 1aa", True),
     ("90210", "90210-1234", True), ("90210-9999", "90210", True), ("SW1A 1AB", "SW1A 1AA", False),
     ("90211", "90210", False), ("", "", False), ("SW1A", "SW1A 1AA", False),
     ("K1A 0B1", "SW1A 1AA", False)],
)
def test_postcodes_match(given, on_file, expected):
    assert postcodes_match(given, on_file) is expected


def test_two_postcodes_read_equally_well_give_none():
    # "for" may be a leading 4 and "to" a trailing 2: 41221 and 12212 cost the same.
    assert read_postcode("for 1 2 2 1") == Postcode("US", "41221")
    assert read_postcode("1 2 2 1 to") == Postcode("US", "12212")
    assert read_postcode("for 1 2 2 1 to") is None
