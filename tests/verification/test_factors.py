"""Each factor: read from keypad, speech or text; compared with the record; never matching an
unknown number; secrets never read back."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.records import CustomerRecord
from bot.verification import pins
from bot.verification.factors import ASKED, FACTORS, ReadOptions, caller_matches
from bot.verification.pins import hash_pin, pin_matches

ALICE = CustomerRecord(number="1023456781", full_name="Alice Walker", date_of_birth=dt.date(1985, 3, 3),
                       postcode="SW1A 1AA", phone="+447911123456", email="alice.walker@example.com",
                       pin_hash=hash_pin("4821"))
OPTIONS = ReadOptions(today=dt.date(2026, 11, 23))


def check(factor: str, kind: str, text: str, record=ALICE, options=OPTIONS):
    answer = FACTORS[factor].read(kind, text, options)
    assert answer.value is not None, answer
    return FACTORS[factor].matches(answer.value, record, options)


@pytest.mark.parametrize("factor, kind, right, wrong", [
    ("date_of_birth", "digits", "03031985", "04031985"),
    ("date_of_birth", "speech", "the third of March nineteen eighty five", "the fourth of March nineteen eighty five"),
    ("postcode", "speech", "S W one A one A A", "S W one A two A A"),
    ("email", "text", "Alice.Walker@Example.com", "alice.walker@example.org"),
    ("email", "speech", "alice dot walker at example dot com", "alice dot walken at example dot com"),
    ("last_four", "digits", "3456#", "3457#"),
    ("last_four", "speech", "the last four are three four five six", "three four five seven"),
    ("pin", "digits", "4821#", "4822#"),
    ("pin", "speech", "four eight two one", "four eight two two"),
    ("name", "speech", "my name is Alice Walker", "Alison Walker"),
    ("name", "text", "alice walker", "Alice Wilson"),
])
def test_right_matches_wrong_does_not_unknown_never(factor, kind, right, wrong):
    assert check(factor, kind, right) is True
    assert check(factor, kind, wrong) is False
    assert check(factor, kind, right, record=None) is False


@pytest.mark.parametrize("factor, kind, text", [
    ("email", "digits", "1234"),
    ("email", "text", "not an address"),
    ("last_four", "digits", "123"),
    ("pin", "digits", "12"),
    ("pin", "digits", "123456789"),
    ("pin", "text", "my pin"),
    ("name", "text", "Alice"),  # one word could be either name
    ("name", "digits", "2542"),
])
def test_unreadable_answers_are_asked_again(factor, kind, text):
    assert FACTORS[factor].read(kind, text, OPTIONS).value is None


def test_name_thresholds_come_from_the_options():
    # "Alicce" passes by spelling at 0.90 (it does not sound like another name); at 0.99 it does not.
    strict = ReadOptions(first_name_threshold=0.99, last_name_threshold=0.99)
    assert check("name", "text", "Alicce Walker") is True
    assert check("name", "text", "Alicce Walker", options=strict) is False
    assert check("name", "text", "Alice Walker", options=strict) is True


def test_customers_without_a_phone_email_or_pin_never_match():
    bare = CustomerRecord(number="1055500018", full_name="David Closed", date_of_birth=dt.date(1961, 1, 31),
                          postcode="EH1 1YZ")
    assert check("last_four", "digits", "0000", record=bare) is False
    assert check("email", "text", "x@example.com", record=bare) is False
    assert check("pin", "digits", "0000", record=bare) is False  # the stand-in hash is of 0000: still no


def test_secret_factors_are_never_described_and_possession_factors_not_asked():
    assert FACTORS["pin"].secret and FACTORS["one_time_code"].secret
    assert FACTORS["pin"].describe("4821") == "your PIN"
    assert "one_time_code" not in ASKED and "caller_id" not in ASKED
    assert set(ASKED) == {"date_of_birth", "postcode", "name", "email", "last_four", "pin"}
    assert FACTORS["one_time_code"].needs_verify and not FACTORS["pin"].needs_verify
    assert {n for n, f in FACTORS.items() if f.weak} == {"name", "caller_id"}


@pytest.mark.parametrize("caller, expected", [
    ("+447911123456", True),
    ("whatsapp:+447911123456", True),
    ("+447911123457", False),
    ("07911123456", False),  # not E.164: no exact match is possible
    ("anonymous", False),
    ("+266696687", False),  # a keypad spelling of ANONYMOUS
    ("client:alice", False),
    (None, False),
])
def test_caller_id_must_be_exactly_the_phone_on_file(caller, expected):
    assert caller_matches(caller, ALICE.phone) is expected
    assert FACTORS["caller_id"].observe(caller, ALICE) is expected
    assert FACTORS["caller_id"].observe(caller, None) is False


def test_pins_are_salted_slow_hashes():
    first, second = hash_pin("4821"), hash_pin("4821")
    assert first != second  # a salt per customer
    assert "4821" not in first
    scheme, n, r, p, _salt, _hash = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2 ** 14, 8, 1)
    assert pin_matches("4821", first) and pin_matches("4821", second)
    assert not pin_matches("4822", first)
    assert not pin_matches("4821", "scrypt$999999999$8$1$AAAA$AAAA")  # an absurd cost is refused, not run
    assert not pin_matches("4821", "md5$abc")
    with pytest.raises(pins.PinError):
        hash_pin("12ab")


def test_unknown_numbers_and_missing_pins_cost_the_same_hashing(monkeypatch):
    calls = []
    real = pins._derive
    monkeypatch.setattr(pins, "_derive", lambda *a: calls.append(a[2:]) or real(*a))
    pin_matches("4821", ALICE.pin_hash)
    pin_matches("4821", None)
    pin_matches("x", ALICE.pin_hash)
    assert calls == [(2 ** 14, 8, 1)] * 3
