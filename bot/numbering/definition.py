"""Scheme definitions as data: check a YAML mapping completely, then build Schemes.

Every mistake raises SchemeDefinitionError with the path of the offending value
(("schemes", 0, "segments", 2, "algorithm")), so loading fails at start-up with a line
number instead of in the middle of a call.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

from .algorithms import ALGORITHMS, Algorithm
from .characters import ALPHABETS, describe
from .errors import SchemeDefinitionError
from .scheme import Prefix, Scheme, Segment

__all__ = ["scheme_from_dict", "schemes_from_dict"]

Path = tuple[str | int, ...]

_SCHEME_KEYS = {"name", "label", "alphabet", "segments", "display"}
_SEGMENT_KEYS = {
    "prefix": {"kind", "length", "table", "alphabet"},
    "serial": {"kind", "length", "alphabet"},
    "check": {"kind", "algorithm", "allow_check_characters"},
}
_SEGMENT_REQUIRED = {"prefix": {"length", "table"}, "serial": {"length"}, "check": {"algorithm"}}
_PREFIX_KEYS = {"meaning", "department"}
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_MAX_LENGTH = 64


def schemes_from_dict(data: Any) -> list[Scheme]:
    """All schemes of a document `{schemes: [...]}`, checked to coexist."""
    # `lookalikes:` (numbers mistaken for a customer number) is read by bot/engine/lookalikes.py.
    _mapping(data, (), "the file", required={"schemes"}, allowed={"schemes", "lookalikes"})
    items = data["schemes"]
    if not isinstance(items, list) or not items:
        raise SchemeDefinitionError(("schemes",), "expected a list with at least one scheme")
    schemes: list[Scheme] = []
    for index, item in enumerate(items):
        scheme = scheme_from_dict(item, ("schemes", index))
        for earlier in schemes:
            if earlier.name == scheme.name:
                raise SchemeDefinitionError(("schemes", index, "name"), f"duplicate scheme name {scheme.name!r}")
            clash = _shared_number(earlier, scheme)
            if clash is not None:
                raise SchemeDefinitionError(
                    ("schemes", index),
                    f"cannot be told apart from scheme {earlier.name!r}: both accept {scheme.length}-character"
                    f" numbers like {clash!r}; give them different lengths or prefixes",
                )
        schemes.append(scheme)
    return schemes


def scheme_from_dict(data: Any, path: Path = ()) -> Scheme:
    """One scheme from its mapping (name, label, alphabet, segments, display)."""
    _mapping(data, path, "a scheme", required={"name", "alphabet", "segments"}, allowed=_SCHEME_KEYS)
    name = _text(data["name"], path + ("name",))
    if not _NAME.match(name):
        raise SchemeDefinitionError(path + ("name",), f"{name!r}: use lower-case letters, digits and _ (e.g. customer)")
    label = _text(data.get("label", name.replace("_", " ")), path + ("label",))
    alphabet = _choice(data["alphabet"], path + ("alphabet",), ("digits", "alphanumeric"))
    segments, algorithm = _segments(data["segments"], path + ("segments",), ALPHABETS[alphabet])
    length = sum(segment.length for segment in segments)
    display = _text(data.get("display", "#" * length), path + ("display",))
    if display.count("#") != length or any(c.isalnum() for c in display):
        raise SchemeDefinitionError(
            path + ("display",),
            f"{display!r} has {display.count('#')} '#' but the segments add up to {length} characters;"
            " use one '#' per character, separated by spaces or dashes",
        )
    return Scheme(name=name, label=label, alphabet=alphabet, segments=segments, algorithm=algorithm, display=display)


def _segments(items: Any, path: Path, scheme_chars: str) -> tuple[tuple[Segment, ...], Algorithm]:
    if not isinstance(items, list) or len(items) < 2:
        raise SchemeDefinitionError(path, "expected a list of segments: [prefix,] serial..., check")
    segments: list[Segment] = []
    start = 0
    for index, item in enumerate(items):
        where = path + (index,)
        _mapping(item, where, "a segment", required={"kind"}, allowed=None)
        kind = _choice(item["kind"], where + ("kind",), tuple(_SEGMENT_KEYS))
        if kind == "check" and "length" in item:
            raise SchemeDefinitionError(where + ("length",), "remove length: a check segment's length follows from its algorithm")
        _mapping(item, where, f"a {kind} segment", required=_SEGMENT_REQUIRED[kind], allowed=_SEGMENT_KEYS[kind])
        last = index == len(items) - 1
        if (kind == "check") != last:
            raise SchemeDefinitionError(where + ("kind",), "expected exactly one check segment, as the last segment")
        if kind == "prefix" and index != 0:
            raise SchemeDefinitionError(where + ("kind",), "a prefix segment must come first")
        if kind == "check":
            algorithm = _check(item, where, scheme_chars, "".join(s.chars for s in segments))
            segments.append(Segment("check", start, algorithm.check_length, algorithm.check_chars))
            start += algorithm.check_length
            continue
        length = _int(item.get("length"), where + ("length",))
        chars = ALPHABETS[_choice(item.get("alphabet", _name_of(scheme_chars)), where + ("alphabet",), tuple(ALPHABETS))]
        if not set(chars) <= set(scheme_chars):
            raise SchemeDefinitionError(where + ("alphabet",), f"the scheme's alphabet only allows {_plural(scheme_chars)}")
        table = _table(item.get("table"), where + ("table",), length, chars) if kind == "prefix" else None
        segments.append(Segment(kind, start, length, chars, table))
        start += length
    if not any(segment.kind == "serial" for segment in segments):
        raise SchemeDefinitionError(path, "expected at least one serial segment to tell customers apart")
    if start > _MAX_LENGTH:
        raise SchemeDefinitionError(path, f"the number would have {start} characters; at most {_MAX_LENGTH}")
    return tuple(segments), algorithm


def _check(item: dict[str, Any], where: Path, scheme_chars: str, payload_chars: str) -> Algorithm:
    name = _choice(item.get("algorithm"), where + ("algorithm",), tuple(ALGORITHMS))
    algorithm = ALGORITHMS[name]
    extra = _text(item.get("allow_check_characters", ""), where + ("allow_check_characters",), empty=True)
    if not set(payload_chars) <= set(algorithm.payload_chars):
        raise SchemeDefinitionError(
            where + ("algorithm",),
            f"{name} only computes over {_plural(algorithm.payload_chars)}, but the number before it may hold"
            f" {_plural(payload_chars)}; use an alphanumeric algorithm (iso7064_mod_37_36, luhn_mod_n)",
        )
    strays = set(algorithm.check_chars) - set(scheme_chars)
    if set(extra) - strays:
        raise SchemeDefinitionError(
            where + ("allow_check_characters",),
            f"{name} never needs {''.join(sorted(set(extra) - strays))!r} beyond the scheme's alphabet; remove it",
        )
    if strays - set(extra):
        missing = "".join(sorted(strays - set(extra)))
        raise SchemeDefinitionError(
            where + ("algorithm",),
            f"{name} can produce the check character(s) {missing!r}, which the scheme's alphabet lacks;"
            f" choose another algorithm, or set allow_check_characters: {missing!r} if callers may type and say them",
        )
    return algorithm


def _table(table: Any, path: Path, length: int, chars: str) -> dict[str, Prefix]:
    if not isinstance(table, dict) or not table:
        raise SchemeDefinitionError(path, 'expected a mapping of prefix codes, e.g. {"10": {meaning: Personal banking}}')
    result = {}
    for code, entry in table.items():
        where = path + (code,)
        if not isinstance(code, str):
            # YAML reads 10 as a number, 010 as 8 and NO as False: insist on quotes.
            raise SchemeDefinitionError(where, f"write the prefix code in quotes, e.g. \"{code}\"")
        if len(code) != length or not set(code) <= set(chars):
            raise SchemeDefinitionError(where, f"prefix {code!r}: expected {length} characters, each a {describe(chars)}")
        _mapping(entry, where, "a prefix", required={"meaning"}, allowed=_PREFIX_KEYS)
        meaning = _text(entry["meaning"], where + ("meaning",))
        department = _text(entry["department"], where + ("department",)) if "department" in entry else None
        result[code] = Prefix(code, meaning, department)
    return result


def _shared_number(a: Scheme, b: Scheme) -> str | None:
    """A string both schemes would accept before their checks, or None if none exists."""
    if a.length != b.length:
        return None
    for code_a, code_b in product(list(a.prefixes) or [""], list(b.prefixes) or [""]):
        example = ""
        for position, (chars_a, chars_b) in enumerate(zip(a.positions, b.positions)):
            allowed = set(code_a[position] if position < len(code_a) else chars_a)
            allowed &= set(code_b[position] if position < len(code_b) else chars_b)
            if not allowed:
                break
            example += min(allowed)
        else:
            return example
    return None


def _mapping(value: Any, path: Path, what: str, *, required: set[str], allowed: set[str] | None) -> None:
    if not isinstance(value, dict):
        raise SchemeDefinitionError(path, f"expected {what} as a mapping of keys to values")
    for key in value:
        if allowed is not None and key not in allowed:
            raise SchemeDefinitionError(path + (str(key),), f"unknown key {key!r} in {what}; expected one of {sorted(allowed)}")
    for key in sorted(required - set(value)):
        raise SchemeDefinitionError(path, f"{what} needs {key!r}")


def _text(value: Any, path: Path, *, empty: bool = False) -> str:
    if not isinstance(value, str) or not (value.strip() or empty):
        raise SchemeDefinitionError(path, f"expected text, got {value!r}")
    return value


def _int(value: Any, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_LENGTH:
        raise SchemeDefinitionError(path, f"expected a whole number of characters from 1 to {_MAX_LENGTH}, got {value!r}")
    return value


def _choice(value: Any, path: Path, options: tuple[str, ...]) -> str:
    if value not in options or not isinstance(value, str):
        raise SchemeDefinitionError(path, f"expected one of {', '.join(options)}; got {value!r}")
    return value


def _plural(chars: str) -> str:
    return describe(chars).replace("digit", "digits").replace("letter", "letters")


def _name_of(chars: str) -> str:
    return next(name for name, alphabet in ALPHABETS.items() if alphabet == chars)
