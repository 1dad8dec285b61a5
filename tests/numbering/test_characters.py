from __future__ import annotations

import pytest

from bot.numbering import InvalidFormat, compact
from bot.numbering.characters import describe


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 1234 5679", "1012345679"),
        ("10-1234-5679", "1012345679"),
        ("10.1234.5679", "1012345679"),
        ("\t10 1234\n5679 ", "1012345679"),
        ("10\u20131234\u00a05679", "1012345679"),  # en dash and no-break space
        ("mb 1234567 o", "MB1234567O"),
        ("", ""),
        ("12#*", "12#*"),  # kept, so validation can point at them
    ],
)
def test_compact_strips_separators_and_upper_cases(text, expected):
    assert compact(text) == expected


# Decision: decimal digits of other scripts are folded to ASCII, because chat users on
# Arabic, Persian or Devanagari keyboards type their correct number that way.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٠١٢٣٤٥٦٧٩", "1012345679"),  # Arabic-Indic
        ("۱۰۱۲۳۴۵۶۷۹", "1012345679"),  # Extended Arabic-Indic (Persian)
        ("१०१२३४५६७९", "1012345679"),  # Devanagari
        ("１０１２３４５６７９", "1012345679"),  # full-width
        ("ＭＢ１２", "MB12"),  # full-width letters from an input method
    ],
)
def test_compact_folds_other_digit_scripts_to_ascii(text, expected):
    assert compact(text) == expected


@pytest.mark.parametrize("text", ["²", "①", "Ⅻ"])
def test_compact_leaves_digit_lookalikes_alone(text):
    # superscripts, circled and Roman numerals are not decimal digits: the scheme rejects them
    assert not compact(text).isascii()


@pytest.mark.parametrize("value", [None, 1012345679, 1.5, b"1012345679", ["1", "0"], object()])
def test_compact_refuses_anything_but_text_with_invalid_format(value):
    with pytest.raises(InvalidFormat) as caught:
        compact(value)
    assert caught.value.details == {"got": type(value).__name__}


def test_describe_names_character_classes():
    assert describe("0123456789") == "digit"
    assert describe("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "letter"
    assert describe("0123456789X") == "digit or 'X'"
    assert describe("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*") == "digit or letter or '*'"
