"""The YAML reader (issue 13, finding 6, and the two loader findings moved from issue 10)."""
from __future__ import annotations

import tracemalloc

import pytest

from bot.yaml_source import ConfigError, parse_yaml


def messages(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_yaml(text, "f.yaml")
    return [str(p) for p in info.value.problems]


def test_yaml_1_2_words_stay_words():
    data = parse_yaml("synonyms: [no, yes, on, off]\nat: 12:30\nday: 2025-02-30\nkey: 0123\n", "f.yaml").data
    assert data == {"synonyms": ["no", "yes", "on", "off"], "at": "12:30", "day": "2025-02-30", "key": 123}


def test_an_alias_bomb_is_refused_in_bounded_memory():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    assert len(bomb) < 500
    tracemalloc.start()
    try:
        found = messages(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == ["f.yaml:1: this file expands to more than 50000 values (an alias repeated inside aliases?); "
                     "write it out plainly"]
    assert peak < 100_000_000


def test_an_alias_inside_itself_is_a_message_not_a_recursion_error():
    assert messages("x: &r [*r]\n") == [
        "f.yaml:1: an alias refers to the list or mapping that contains it; remove the *alias, or write the value out"]


def test_a_duplicate_key_says_where_the_first_one_is():
    assert messages("departments:\n  billing: {}\n  cards: {}\n  billing: {}\n") == [
        "f.yaml:4: duplicate key 'billing': it is already defined at line 2 (one of them must go)"]


def test_parser_errors_are_plain_words_with_line_and_hint():
    found = messages("steps:\n  a:\n    type: say\n   next: b\n")
    assert found == ["f.yaml:4: not valid YAML: this line is indented by 3 spaces, while the line above is indented "
                     "by 4 spaces; lines at the same level must start in the same column (two spaces per level, as "
                     "in the rest of the file)"]
    assert "block end" not in found[0]
