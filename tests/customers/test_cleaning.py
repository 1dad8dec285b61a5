"""The importer's quick paths give exactly what the libraries (and the slower paths) behind them give."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings, strategies as st

from bot.customers.cleaning import RowError, _customer_number, clean_email, clean_postcode
from bot.numbering import NumberError, SchemeSet, generate_many, load_schemes
from bot.understanding import read_postcode

FLOWS = Path(__file__).resolve().parents[2] / "flows"
FIXTURES = Path(__file__).resolve().parents[1] / "numbering" / "fixtures"

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-."
local_parts = st.text(alphabet=ATEXT, min_size=0, max_size=70)
domains = st.one_of(
    st.sampled_from(["example.com", "Example.COM", "mail.example.co.uk", "localhost", "example", "exa_mple.com",
                     "-example.com", "example..com", "123.com", "example.123", "xn--bcher-kva.example", "bücher.de",
                     "a" * 64 + ".com", ("a" * 63 + ".") * 4 + "com", "example.test", "[127.0.0.1]", ""]),
    st.from_regex(r"[a-zA-Z0-9-]{1,20}(\.[a-zA-Z0-9-]{1,10}){0,3}", fullmatch=True))


def library(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def ours(value: str) -> str | None:
    try:
        return clean_email(value)
    except EmailNotValidError:
        return None


@settings(max_examples=400, deadline=None)
@given(local=local_parts, domain=domains)
def test_clean_email_agrees_with_email_validator(local, domain):
    value = f"{local}@{domain}"
    assert ours(value) == library(value)


@pytest.mark.parametrize("value", ["Alice.Walker@Example.com", "a@b", "no-at-sign", "two@@example.com",
                                   '"quoted"@example.com', "zoë@example.com", "a@b@example.com", " a@example.com",
                                   "a" * 65 + "@example.com", "x@" + "a" * 250 + ".com", ".a@example.com"])
def test_clean_email_agrees_on_awkward_addresses(value):
    assert ours(value) == library(value)


@pytest.mark.parametrize("value", ["SW1A 1AA", "sw1a1aa", "SW1A-1AA", "M1 1AE", "EH1 1YZ", "GIR 0AA", "90210",
                                   "90210-1234", "902101234", "K1A 0B1", "k1a0b1", "sierra whiskey one alpha one alpha alpha",
                                   "S W 1 A 1 A A", "NOT A CODE", "", "12345678", "QQ1 1QQ", "SW1A 1AAA"])
def test_clean_postcode_agrees_with_the_callers_reader(value):
    heard = read_postcode(value)
    assert clean_postcode(value) == (heard.value if heard is not None else None)


def number_sample(schemes: SchemeSet, rng: random.Random) -> list[str]:
    """Valid numbers of every scheme and prefix, and the ways a file gets them wrong."""
    values = []
    for scheme in schemes:
        for prefix in sorted(scheme.prefixes) or [None]:
            for number in generate_many(scheme, prefix, 5, rng):
                position = rng.randrange(len(number))
                values += [number, number.lower(), f" {number[:2]} {number[2:]} ", number[:-1], number + "7",
                           number[:position] + rng.choice("0123456789AZ*-") + number[position + 1:],
                           number[::-1], "x" + number[1:]]
    return values + ["", " ", "-", "٣٤٥", "１０２３４５６７８１", "ZZZZZZZZZZ", "0" * 40]


SHIPPED, MEMBERS = load_schemes(FLOWS / "numbering.yaml"), load_schemes(FIXTURES / "alphanumeric.yaml")


@pytest.mark.parametrize("schemes", [SHIPPED, MEMBERS, load_schemes(FIXTURES / "with_legacy.yaml"),
                                     SchemeSet([SHIPPED.default, MEMBERS.default])],  # two of the same length
                         ids=["shipped", "alphanumeric", "legacy", "mixed"])
def test_the_customer_number_fast_path_agrees_with_validate(schemes):
    for value in number_sample(schemes, random.Random(3)):
        try:
            expected = schemes.validate(value).number
        except NumberError as exc:
            expected = f"customer_number is not a valid customer number ({getattr(exc, 'kind', 'invalid')})"
        try:
            got = _customer_number(value, schemes)
        except RowError as exc:
            got = str(exc)
        assert got == expected, value
