"""The redaction filter: what logs may and may not hold."""
from __future__ import annotations

import logging

import pytest

from bot.logging_setup import RedactionFilter, mask, redact


@pytest.mark.parametrize("raw, forbidden, expected_piece", [
    ("customer 1023456781 entered", "1023456781", "******6781"),
    ("customer 10 2345 6781 entered", "2345", "******6781"),
    ("member MB1234567X", "MB1234567X", "******567X"),
    ("phone +447700900123", "7700900", "0123"),
    ("born 1985-03-03", "1985", "[date]"),
    ("born 03/03/1985", "03/03", "[date]"),
    ("postcode SW1A 1AA", "SW1A", "[postcode]"),
    ("postcode sw1a1aa", "sw1a", "[postcode]"),
    ("zip 90210", "90210", "[redacted]"),
    ("canada K1A 0B1", "K1A", "[postcode]"),
    ("mail john.smith@example.com", "john.smith", "[email]"),
    ("code 482913", "2913", "[redacted]"),
])
def test_personal_data_is_masked_or_removed(raw, forbidden, expected_piece):
    out = redact(raw)
    assert forbidden not in out
    assert expected_piece in out


def test_operational_details_survive():
    line = "conversation 4f3a9c0000000000000000000000beef call CA0123456789abcdef0123456789abcdef turn 3 at date_of_birth: no-input"
    assert redact(line) == line


def test_mask_keeps_only_the_last_four():
    assert mask("10 2345 6781") == "******6781"
    assert mask("123") == "****"


def test_filter_redacts_arguments_and_exceptions():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "number %s dob %s", ("1023456781", "1985-03-03"), None)
    try:
        raise ValueError("bad postcode SW1A 1AA for 1023456781")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    RedactionFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "1023456781" not in formatted and "1985-03-03" not in formatted and "SW1A" not in formatted
    assert "******6781" in formatted


def test_a_record_passing_two_handlers_is_redacted_once():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "customer %s", ("1023456781",), None)
    first, second = RedactionFilter(), RedactionFilter()
    assert first.filter(record) and second.filter(record)
    assert record.getMessage() == "customer ******6781"


def test_addresses_and_flow_versions_stay_readable():
    line = "Uvicorn running on http://127.0.0.1:8000; published flow version d4876c3e7485"
    assert redact(line) == line
    assert "1023456781" not in redact("version 1023456781")  # all digits: could be a number, so masked
