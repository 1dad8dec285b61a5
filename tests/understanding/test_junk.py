"""Arbitrary input never raises and always comes back in the declared types."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import understanding as u

from .conftest import damm10

JUNK = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="0123456789 ohtwofrueahlpbcdsxyz-.:$,#*", max_size=120),
    st.lists(st.sampled_from(["one", "oh", "double", "for", "to", "B", "as", "in", "boy", "at",
                              "dot", "sorry", "twenty", "hundred", "March", "3rd", "1985", "no"]),
             max_size=40).map(" ".join),
)
FAST = settings(max_examples=150, deadline=None)


@FAST
@given(JUNK, st.sampled_from([None, "DDDDDDDDDD", "AADDDDDDDX", "X", "DDDD"]))
def test_read_characters(text, layout):
    r = u.read_characters(text, layout=layout, accept=damm10 if layout == "DDDDDDDDDD" else None)
    assert r.value is None or (r.value.isascii() and r.value.isalnum() and r.value.upper() == r.value)
    assert r.value is None or r.value in r.candidates
    assert isinstance(r.repaired, bool) and isinstance(r.ambiguous, bool)
    if layout and r.value:
        assert len(r.value) == len(layout)


@FAST
@given(JUNK, st.booleans())
def test_read_date(text, day_first):
    r = u.read_date(text, day_first=day_first, today=date(2025, 6, 1))
    assert (r.value is None) == (r.error is not None)
    assert r.error in (None, "future", "impossible", "unreadable", "incomplete")
    assert r.value is None or r.value <= date(2025, 6, 1)
    assert all(isinstance(d, date) for d in r.alternatives) and r.ambiguous == bool(r.alternatives)


@FAST
@given(JUNK)
def test_keypad_date(text):
    r = u.read_keypad_date(text, today=date(2025, 6, 1))
    assert (r.value is None) == (r.error is not None)


@FAST
@given(JUNK, JUNK)
def test_pairs(a, b):
    assert isinstance(u.names_match(a, b), bool)
    assert isinstance(u.postcodes_match(a, b), bool)


@FAST
@given(JUNK)
def test_single_string_readers(text):
    p = u.read_postcode(text)
    assert p is None or p.country in ("GB", "US", "CA")
    e = u.read_email(text)
    assert e is None or (e == e.lower() and "@" in e)
    phone = u.read_phone(text)
    assert phone is None or phone.startswith("+")
    four = u.read_last_four(text)
    assert four is None or (len(four) == 4 and four.isdigit())
    assert isinstance(u.is_withheld_caller_id(text), bool)
    assert u.match_intent(text, {"billing": ["bill"], "sales": ["buy"]}) in (None, "billing", "sales")
    assert u.read_control(text) in (None, "repeat", "agent", "restart", "help")
    assert u.read_yes_no(text) in (None, True, False)


def test_huge_and_odd_inputs():
    for text in ["", "x" * 10_000, "🙂" * 5000, "\x00\n\t", "١٢٣", "\u200b" * 100, "1" * 10_000]:
        assert u.read_characters(text, layout="DDDDDDDDDD").value is None
        assert u.read_date(text).value is None
        assert u.read_postcode(text) is None
        assert u.read_email(text) is None
        assert u.read_phone(text) is None
        assert u.read_last_four(text) is None
        assert u.names_match(text, text) is False
        assert u.match_intent(text, {"billing": ["bill"]}) is None
        assert u.read_control(text) is None
        assert u.read_yes_no(text) is None
