from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.numbering import DEFAULT_SCHEMES_PATH, Scheme, SchemeDefinitionError, SchemeSet, load_schemes

from .conftest import FIXTURES, default_scheme_dict


def definition_error(data) -> SchemeDefinitionError:
    with pytest.raises(SchemeDefinitionError) as caught:
        SchemeSet.from_dict(data)
    return caught.value


def broken(change) -> dict:
    scheme = default_scheme_dict()
    change(scheme)
    return {"schemes": [scheme]}


def test_the_default_file_defines_the_default_scheme():
    schemes = load_schemes(DEFAULT_SCHEMES_PATH)
    assert [scheme.name for scheme in schemes] == ["customer"]
    customer = schemes.default
    assert (customer.length, customer.algorithm.name, customer.display) == (10, "damm", "## #### ####")
    assert {code: p.department for code, p in customer.prefixes.items()} == {
        "10": "personal",
        "20": "business",
        "30": "insurance",
    }
    assert [(s.kind, s.length) for s in customer.segments] == [("prefix", 2), ("serial", 7), ("check", 1)]


def test_the_default_file_explains_every_field_it_uses():
    text = DEFAULT_SCHEMES_PATH.read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    used = set(re.findall(r"\b([a-z_]+):", "\n".join(l.split("#")[0] for l in text.splitlines())))
    assert used >= {"schemes", "name", "label", "alphabet", "segments", "kind", "table", "algorithm", "display"}
    for key in used | {"allow_check_characters"}:
        assert f"{key}:" in comments, key


def test_fixtures_load(member_set, legacy_set):
    assert member_set.default.name == "member"
    assert [s.name for s in legacy_set] == ["customer", "legacy"]


def test_from_dict_of_the_default_mapping_equals_the_file(default_set):
    scheme = Scheme.from_dict(default_scheme_dict())
    assert scheme.positions == default_set.default.positions
    assert scheme.prefixes == default_set.default.prefixes


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda s: s.update(colour="blue"), ("schemes", 0, "colour"), "unknown key 'colour'"),
        (lambda s: s.pop("alphabet"), ("schemes", 0), "needs 'alphabet'"),
        (lambda s: s.update(name="Customer Number"), ("schemes", 0, "name"), "lower-case"),
        (lambda s: s.update(alphabet="hex"), ("schemes", 0, "alphabet"), "digits, alphanumeric"),
        (lambda s: s.update(display="## #### ###"), ("schemes", 0, "display"), "add up to 10"),
        (lambda s: s.update(display="AB ########"), ("schemes", 0, "display"), "one '#' per character"),
        (lambda s: s.update(segments=[]), ("schemes", 0, "segments"), "list of segments"),
        (
            lambda s: s["segments"][2].update(algorithm="crc32"),
            ("schemes", 0, "segments", 2, "algorithm"),
            "damm",
        ),
        (
            lambda s: s["segments"][2].update(length=1),
            ("schemes", 0, "segments", 2, "length"),
            "follows from its algorithm",
        ),
        (
            lambda s: s["segments"][1].update(lenght=7),
            ("schemes", 0, "segments", 1, "lenght"),
            "unknown key 'lenght'",
        ),
        (lambda s: s["segments"][1].update(length=0), ("schemes", 0, "segments", 1, "length"), "from 1 to 64"),
        (lambda s: s["segments"][1].update(length="7"), ("schemes", 0, "segments", 1, "length"), "whole number"),
        (lambda s: s["segments"][1].update(length=True), ("schemes", 0, "segments", 1, "length"), "whole number"),
        (lambda s: s["segments"][1].update(kind="serials"), ("schemes", 0, "segments", 1, "kind"), "serial"),
        (
            lambda s: s["segments"].reverse(),
            ("schemes", 0, "segments", 0, "kind"),
            "exactly one check segment, as the last",
        ),
        (
            lambda s: s["segments"].insert(1, s["segments"].pop(0)),
            ("schemes", 0, "segments", 1, "kind"),
            "must come first",
        ),
        (lambda s: s["segments"].pop(1), ("schemes", 0, "segments"), "at least one serial"),
        (
            lambda s: s["segments"][0].update(alphabet="letters"),
            ("schemes", 0, "segments", 0, "alphabet"),
            "only allows digits",
        ),
        (
            lambda s: s["segments"][0]["table"].update({"1": {"meaning": "Short"}}),
            ("schemes", 0, "segments", 0, "table", "1"),
            "expected 2 characters, each a digit",
        ),
        (
            lambda s: s["segments"][0]["table"].update({"AB": {"meaning": "Letters"}}),
            ("schemes", 0, "segments", 0, "table", "AB"),
            "each a digit",
        ),
        (
            lambda s: s["segments"][0]["table"].update({40: {"meaning": "Unquoted"}}),
            ("schemes", 0, "segments", 0, "table", 40),
            'in quotes, e.g. "40"',
        ),
        (
            lambda s: s["segments"][0]["table"].update({"40": {"department": "x"}}),
            ("schemes", 0, "segments", 0, "table", "40"),
            "needs 'meaning'",
        ),
        (
            lambda s: s["segments"][0]["table"]["10"].update(queue="x"),
            ("schemes", 0, "segments", 0, "table", "10", "queue"),
            "unknown key 'queue'",
        ),
        (lambda s: s["segments"][0].update(table={}), ("schemes", 0, "segments", 0, "table"), "mapping of prefix"),
        (
            lambda s: s["segments"][2].update(algorithm="iso7064_mod_11_2"),
            ("schemes", 0, "segments", 2, "algorithm"),
            "'X', which the scheme's alphabet lacks; choose another algorithm, or set allow_check_characters: 'X'",
        ),
        (
            lambda s: s["segments"][2].update(algorithm="luhn_mod_n"),
            ("schemes", 0, "segments", 2, "algorithm"),
            "allow_check_characters",
        ),
        (
            lambda s: s["segments"][2].update(allow_check_characters="X"),
            ("schemes", 0, "segments", 2, "allow_check_characters"),
            "remove it",
        ),
    ],
)
def test_each_mistake_is_reported_with_its_path(change, path, message):
    error = definition_error(broken(change))
    assert error.path == path
    assert message in error.message


def test_letters_before_a_digits_only_algorithm_are_refused():
    scheme = default_scheme_dict()
    scheme["alphabet"] = "alphanumeric"
    scheme["segments"][0]["table"] = {"MB": {"meaning": "Member"}}
    error = definition_error({"schemes": [scheme]})
    assert error.path == ("schemes", 0, "segments", 2, "algorithm")
    assert "iso7064_mod_37_36" in error.message


def test_mod_37_2_star_must_be_allowed_explicitly():
    scheme = default_scheme_dict()
    scheme["alphabet"] = "alphanumeric"
    scheme["segments"][2] = {"kind": "check", "algorithm": "iso7064_mod_37_2"}
    assert "'*'" in definition_error({"schemes": [scheme]}).message
    scheme["segments"][2]["allow_check_characters"] = "*"
    assert SchemeSet.from_dict({"schemes": [scheme]}).default.positions[-1].endswith("*")


def test_allowed_x_becomes_valid_only_in_the_check_position():
    scheme = default_scheme_dict()
    scheme["segments"][2] = {"kind": "check", "algorithm": "iso7064_mod_11_2", "allow_check_characters": "X"}
    customer = Scheme.from_dict(scheme)
    number = next(n for n in (customer.generate("10", __import__("random").Random(i)) for i in range(200)) if n[-1] == "X")
    assert customer.validate(number.lower()) == number
    assert not customer.is_valid(number[:3] + "X" + number[4:])


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ([], (), "mapping"),
        ({"schemes": []}, ("schemes",), "at least one scheme"),
        ({"schemes": {}}, ("schemes",), "at least one scheme"),
        ({"schemes": [default_scheme_dict()], "version": 2}, ("version",), "unknown key 'version'"),
        ({}, (), "needs 'schemes'"),
        ({"schemes": ["customer"]}, ("schemes", 0), "a scheme as a mapping"),
    ],
)
def test_top_level_mistakes(data, path, message):
    error = definition_error(data)
    assert error.path == path
    assert message in error.message


def test_duplicate_scheme_names_are_refused():
    other = default_scheme_dict()
    other["segments"][1]["length"] = 5
    other["display"] = "########"
    error = definition_error({"schemes": [default_scheme_dict(), other]})
    assert error.path == ("schemes", 1, "name")
    assert "duplicate scheme name 'customer'" in error.message


@pytest.mark.parametrize(
    "change",
    [
        lambda s: None,  # the same layout twice
        lambda s: s["segments"].pop(0) and s["segments"][0].update(length=9),  # no prefix, 10 digits
        lambda s: s["segments"][0].update(length=1, table={"1": {"meaning": "One"}}) or s["segments"][1].update(length=8),
    ],
    ids=["identical", "unprefixed", "shorter-prefix"],
)
def test_schemes_that_cannot_be_told_apart_are_refused(change):
    other = default_scheme_dict()
    other["name"] = "other"
    change(other)
    error = definition_error({"schemes": [default_scheme_dict(), other]})
    assert error.path == ("schemes", 1)
    assert "cannot be told apart from scheme 'customer'" in error.message


def test_schemes_told_apart_by_prefix_length_or_characters_coexist(member_set):
    other = default_scheme_dict()
    other["name"] = "savings"
    other["segments"][0]["table"] = {"40": {"meaning": "Savings"}}
    legacy = {"name": "legacy", "alphabet": "digits", "segments": [{"kind": "serial", "length": 7}, {"kind": "check", "algorithm": "luhn"}]}
    member = member_set.default
    schemes = SchemeSet.from_dict({"schemes": [default_scheme_dict(), other, legacy, _member_dict()]})
    assert [s.name for s in schemes] == ["customer", "savings", "legacy", "member"]
    assert schemes.get("member").positions == member.positions


def _member_dict() -> dict:
    import yaml

    return yaml.safe_load((FIXTURES / "alphanumeric.yaml").read_text())["schemes"][0]


def test_yaml_duplicate_keys_are_refused(tmp_path: Path):
    text = DEFAULT_SCHEMES_PATH.read_text(encoding="utf-8").replace(
        '"30": {meaning: Insurance', '"20": {meaning: Insurance'
    )
    path = tmp_path / "numbering.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeDefinitionError, match=r"numbering.yaml:\d+: duplicate key '20': it is already defined at line \d+"):
        load_schemes(path)


def test_yaml_syntax_errors_are_definition_errors(tmp_path: Path):
    path = tmp_path / "numbering.yaml"
    path.write_text("schemes:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SchemeDefinitionError, match="not valid YAML") as caught:
        load_schemes(path)
    assert caught.value.path == ()


def test_unquoted_yaml_prefix_codes_are_caught(tmp_path: Path):
    # 010 in YAML 1.1 is the integer 8; the flow files are read as YAML 1.2 and keys as typed, so the
    # prefix is "010", and it is refused for its length rather than quietly becoming "8".
    text = DEFAULT_SCHEMES_PATH.read_text(encoding="utf-8").replace('"10":', "010:")
    path = tmp_path / "numbering.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeDefinitionError) as caught:
        load_schemes(path)
    assert caught.value.path == ("schemes", 0, "segments", 0, "table", "010")


@pytest.mark.parametrize(
    ("segment", "key", "missing"),
    [(0, "table", "'table'"), (1, "length", "'length'"), (2, "algorithm", "'algorithm'")],
)
def test_missing_segment_keys_point_at_the_segment(segment, key, missing):
    error = definition_error(broken(lambda s: s["segments"][segment].pop(key)))
    assert error.path == ("schemes", 0, "segments", segment)
    assert f"needs {missing}" in error.message
