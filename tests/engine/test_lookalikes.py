"""numbering.yaml `lookalikes:`: numbers mistaken for a customer number, checked at load (file:line) and
matched with care (a mistyped customer number is never called a phone number)."""
from __future__ import annotations

import doctest

import pytest

import bot.numbering.cards
from bot.engine.bundle import bundle_from_texts
from bot.yaml_source import ConfigError
from tests.flow_texts import shipped


def lookalikes():
    return bundle_from_texts(shipped()).lookalikes


def kind_of(entry: str, region: str = "GB") -> str | None:
    found = lookalikes().match([entry], region)
    return found.name if found else None


def test_card_examples_run():
    failed, attempted = doctest.testmod(bot.numbering.cards)
    assert attempted >= 5 and failed == 0


@pytest.mark.parametrize("entry, kind", [
    ("4539 1488 0343 6467", "card"), ("371449635398431", "card"), ("4539148803436468", None),  # check digit off
    ("07911 123456", "phone"), ("+44 20 7946 0000", "phone"), ("0044 7911 123456", "phone"),
    ("7911123456", None),  # no trunk prefix: as likely a mistyped number as a phone
    ("1023456782", None), ("3011122239", None),  # customer numbers with a wrong check digit
    ("ORD-71234567", "order"), ("71234567", "order"), ("INV 123456", "invoice"),
    ("12-34-56 12345678", "sort_code_account"),
])
def test_what_each_entry_looks_like(entry, kind):
    assert kind_of(entry) == kind


def test_a_us_number_needs_its_trunk_prefix_or_plus():
    assert kind_of("1 415 555 0100", "US") == "phone" and kind_of("4155550100", "US") is None


def test_cards_are_always_withheld_and_sort_codes_because_the_file_says_so():
    withheld = {k.name for k in lookalikes().kinds if k.withhold}
    assert withheld == {"card", "sort_code_account"}


def problems(old: str, new: str) -> list[str]:
    texts = shipped()
    assert old in texts["numbering.yaml"]
    texts["numbering.yaml"] = texts["numbering.yaml"].replace(old, new, 1)
    with pytest.raises(ConfigError) as info:
        bundle_from_texts(texts)
    return [str(p) for p in info.value.problems]


def line(text: str, needle: str) -> int:
    return next(i for i, l in enumerate(shipped()["numbering.yaml"].splitlines(), 1) if needle in l)


def test_a_bad_pattern_is_reported_at_its_line():
    found = problems('pattern: "INV[0-9]{6,8}"', 'pattern: "INV[0-9{6,8}"')
    assert found == [f"flows/numbering.yaml:{line('', 'INV[0-9]{6,8}')}: not a regular expression: "
                     "unterminated character set at position 3"]


def test_an_unknown_check_suggests_the_near_one():
    found = problems("      check: phone\n", "      check: phnoe\n")
    assert found == [f"flows/numbering.yaml:{line('', 'check: phone')}: unknown check 'phnoe'; did you mean 'phone'?; "
                     "expected luhn or phone"]


def test_wording_must_be_given_in_every_language_the_flow_speaks():
    found = problems('        es: "Eso parece un número de factura. Su número de cliente es distinto."\n', "")
    assert found == [f"flows/numbering.yaml:{line('', 'That looks like an invoice number') - 1}: no 'es' wording; "
                     "the flow speaks en, es"]


def test_a_misspelt_field_is_named():
    found = problems("      withhold: true\n", "      withold: true\n")
    assert found == [f"flows/numbering.yaml:{line('', 'withhold: true')}: unknown field 'withold'; did you mean "
                     "'withhold'?; expected name, pattern, check, lengths, withhold, say"]
