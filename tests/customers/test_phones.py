"""The importer's phone fast path gives exactly what phonenumbers gives: the same E.164 form for a
valid number, and no answer of its own (phonenumbers decides) for anything else."""
from __future__ import annotations

import random
import re

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from bot.customers.phones import _fast_e164, e164

# Default regions with different rules: a national prefix (GB, DE), none (US has "1" as both),
# leading zeros kept (IT), shared country codes (GG under 44, CA under 1), odd prefixes (AR, BR, RU).
HOMES = ["GB", "US", "CA", "DE", "IT", "FR", "AU", "IN", "GG", "BR", "AR", "RU", "KZ", "MX", "AT"]
TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE,
         PhoneNumberType.VOIP, PhoneNumberType.PAGER, PhoneNumberType.UAN, PhoneNumberType.PERSONAL_NUMBER,
         PhoneNumberType.SHARED_COST, PhoneNumberType.VOICEMAIL]


def library(value: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def spaced(text: str) -> str:
    """A formatted number as digits and single spaces (the shape the fast path takes)."""
    return " ".join(re.sub(r"[^0-9+]", " ", text).split())


def sample(regions: list[str], rng: random.Random) -> list[str]:
    """Example numbers of every type in the regions, written three ways, each also broken a few ways."""
    values = []
    for region in regions:
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            for form in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL):
                written = phonenumbers.format_number(example, form)
                values += [written, spaced(written)]
                digits = spaced(written).replace(" ", "")
                bare = digits.lstrip("+")
                position = rng.randrange(len(digits))
                values += [digits[:position] + str(rng.randrange(10)) + digits[position + 1:],  # a digit changed
                           digits[:-1], digits + str(rng.randrange(10)),  # one short, one too many
                           "00" + bare, "011" + bare, bare, "0" + bare, "+0" + bare, "+ " + bare,
                           "+" + bare[:2] + " 0 " + bare[2:]]
    return [value for value in values if value]


def random_digits(count: int, rng: random.Random) -> list[str]:
    values = []
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 18)))
        values += ["+" + digits, digits, f"{digits[:3]} {digits[3:]}".strip()]
    return values


def test_the_fast_path_agrees_with_phonenumbers_on_every_region_s_examples():
    rng = random.Random(11)
    values = sample(sorted(phonenumbers.SUPPORTED_REGIONS), rng)
    answered = 0
    for home in ("GB", "US", "IT"):
        for value in values:
            fast = _fast_e164(value, home)
            if fast is not None:
                answered += 1
                assert fast == library(value, home), (value, home)
    assert answered > len(values) // 2  # it answers many of them, or it would not be a fast path


@pytest.mark.parametrize("home", HOMES)
def test_e164_agrees_with_phonenumbers_from_each_default_region(home):
    rng = random.Random(home)
    regions = rng.sample(sorted(phonenumbers.SUPPORTED_REGIONS), 10) + [home, "GB", "US"]
    for value in sample(regions, rng) + random_digits(200, rng):
        assert e164(value, home) == library(value, home), (value, home)


@pytest.mark.parametrize("value, expected", [
    ("07911 123456", "+447911123456"), ("+44 7911 123456", "+447911123456"), ("447911123456", "+447911123456"),
    ("0044 7911 123456", "+447911123456"), ("+1 415 555 0100", "+14155550100"), ("+1 415 055 0100", None),
    ("+39 06 6982 1234", "+390669821234"), ("07911 12345", None), ("0791 112 34567", None), ("12", None),
    ("+44 (0)7911 123456", "+447911123456"), ("07911-123456", "+447911123456"), ("07624 123456", "+447624123456"),
])
def test_e164_examples(value, expected):
    assert e164(value, "GB") == expected == library(value, "GB")
