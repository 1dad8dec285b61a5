from __future__ import annotations

import random
import time

import pytest

from bot.numbering import ALGORITHMS, analyze, analyze_algorithm
from bot.numbering.analysis import KEYPAD_NEIGHBOURS, KINDS, errors_of

DIGITS = "0123456789"


def rows_by_kind(rows):
    assert [row.kind for row in rows] == list(KINDS)
    return dict(zip(("substitution", "adjacent", "twin", "jump", "keypad"), rows))


def test_errors_of_a_small_number():
    found = errors_of("1123", [DIGITS] * 4)
    assert len(found["single substitution"]) == 36
    assert found["adjacent transposition"] == ["1213", "1132"]  # "11" swapped is no error
    assert found["twin error aa->bb"] == [f"{d}{d}23" for d in DIGITS if d != "1"]
    assert found["jump transposition abc->cba"] == ["2113", "1321"]
    assert sorted(found["keypad neighbour slip"]) == sorted(
        ["2123", "4123", "1223", "1423", "1113", "1133", "1153", "1122", "1126"]
    )


def test_substitutions_stay_within_the_position_alphabet():
    found = errors_of("A1", ["AB", DIGITS])
    assert found["single substitution"][0] == "B1"
    assert len(found["single substitution"]) == 1 + 9
    assert found["adjacent transposition"] == ["1A"]


def test_default_scheme_detects_every_substitution_and_adjacent_transposition(default_set):
    # Damm guarantees this; measured on the check alone, exhaustively over all such
    # errors of 2,000 valid numbers.
    rows = rows_by_kind(analyze(default_set.default, sample=2000, rng=random.Random(1), check_only=True))
    assert rows["substitution"].total == 2000 * 10 * 9
    assert rows["substitution"].detected == rows["substitution"].total
    assert rows["adjacent"].total > 15_000
    assert rows["adjacent"].detected == rows["adjacent"].total
    assert rows["keypad"].share == 1.0
    assert all(row.numbers == 2000 for row in rows.values())


def test_measurement_finds_undetected_errors_where_they_exist(default_set, legacy_set):
    damm_rows = rows_by_kind(analyze(default_set.default, sample=300, rng=random.Random(2), check_only=True))
    assert 0.8 < damm_rows["twin"].share < 1.0
    assert 0.8 < damm_rows["jump"].share < 1.0
    luhn_rows = rows_by_kind(analyze(legacy_set.get("legacy"), sample=300, rng=random.Random(2), check_only=True))
    assert luhn_rows["substitution"].share == 1.0
    assert 0.9 < luhn_rows["adjacent"].share < 1.0  # 09 <-> 90
    assert luhn_rows["jump"].detected == 0  # a and c carry the same weight


def test_the_prefix_table_catches_more_than_the_check_alone(default_set):
    whole = rows_by_kind(analyze(default_set.default, sample=300, rng=random.Random(3)))
    check = rows_by_kind(analyze(default_set.default, sample=300, rng=random.Random(3), check_only=True))
    assert whole["twin"].detected >= check["twin"].detected
    assert whole["jump"].detected > check["jump"].detected


def test_analysis_is_reproducible_and_states_its_sample(member_set):
    first = analyze(member_set.default, sample=50, rng=random.Random(4))
    assert first == analyze(member_set.default, sample=50, rng=random.Random(4))
    assert {row.numbers for row in first} == {50}
    assert all(0 <= row.detected <= row.total for row in first)


@pytest.mark.parametrize(
    ("name", "kind", "low", "high"),
    [
        ("iso7064_mod_97_10", "twin", 1.0, 1.0),
        ("iso7064_mod_97_10", "jump", 1.0, 1.0),
        ("iso7064_mod_11_2", "adjacent", 1.0, 1.0),
        ("verhoeff", "adjacent", 1.0, 1.0),
        ("iso7064_mod_11_10", "adjacent", 0.95, 0.995),
        ("iso7064_mod_37_36", "adjacent", 0.99, 0.99999),
        ("luhn", "jump", 0.0, 0.0),
    ],
)
def test_bare_algorithms_match_the_published_figures(name, kind, low, high):
    rows = rows_by_kind(analyze_algorithm(name, sample=400, rng=random.Random(5)))
    assert low <= rows[kind].share <= high
    assert rows["substitution"].share == 1.0


def test_mod_97_10_substitutes_both_check_digits():
    rows = rows_by_kind(analyze_algorithm("iso7064_mod_97_10", length=4, sample=10, rng=random.Random(6)))
    assert rows["substitution"].total == 10 * 6 * 9


def test_a_default_run_takes_a_few_seconds(default_set):
    started = time.perf_counter()
    analyze(default_set.default)
    for name in ALGORITHMS:
        analyze_algorithm(name, sample=200)
    assert time.perf_counter() - started < 10


def test_keypad_neighbours_share_an_edge_on_the_phone_keypad():
    layout = ["123", "456", "789", "*0#"]
    where = {key: (row, col) for row, keys in enumerate(layout) for col, key in enumerate(keys)}
    for key, (row, col) in where.items():
        if key.isdigit():
            expected = {k for k, (r, c) in where.items() if abs(r - row) + abs(c - col) == 1 and k.isdigit()}
            assert set(KEYPAD_NEIGHBOURS[key]) == expected, key
    assert sorted(errors_of("80", [DIGITS] * 2)["keypad neighbour slip"]) == ["00", "50", "70", "88", "90"]
