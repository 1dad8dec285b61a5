"""A customer number scheme: layout, prefix table and check algorithm, stdnum-style API."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stdnum.exceptions import ValidationError

from . import issuance, keypad, spoken
from .algorithms import Algorithm
from .characters import compact, describe
from .errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

__all__ = ["Prefix", "Segment", "Scheme"]


@dataclass(frozen=True)
class Prefix:
    """What a prefix code means, and which department owns its numbers."""

    code: str
    meaning: str
    department: str | None = None


@dataclass(frozen=True)
class Segment:
    """A run of positions: `prefix` (looked up in `table`), `serial`, or `check`."""

    kind: str
    start: int
    length: int
    chars: str
    table: Mapping[str, Prefix] | None = None

    @property
    def end(self) -> int:
        return self.start + self.length


class Scheme:
    """One customer number scheme. Build it with Scheme.from_dict or load_schemes."""

    def __init__(
        self,
        *,
        name: str,
        label: str,
        alphabet: str,
        segments: tuple[Segment, ...],
        algorithm: Algorithm,
        display: str,
    ) -> None:
        # Trusted input: definition.py has checked it. Build from data via from_dict.
        self.name = name
        self.label = label
        self.alphabet = alphabet
        self.segments = segments
        self.algorithm = algorithm
        self.display = display
        self.length = sum(segment.length for segment in segments)
        self.positions: tuple[str, ...] = tuple(s.chars for s in segments for _ in range(s.length))
        self.all_chars = "".join(sorted(set("".join(self.positions))))
        self.prefix_segment = next((s for s in segments if s.kind == "prefix"), None)
        self.prefixes: Mapping[str, Prefix] = (self.prefix_segment.table or {}) if self.prefix_segment else {}
        self.group_lengths = tuple(len(group) for group in _groups(display))

    @classmethod
    def from_dict(cls, data: Any, path: tuple[str | int, ...] = ()) -> Scheme:
        """Build one scheme from its YAML mapping; SchemeDefinitionError locates mistakes."""
        from .definition import scheme_from_dict

        return scheme_from_dict(data, path)

    def __repr__(self) -> str:
        return f"<Scheme {self.name!r}: {self.length} characters, {self.algorithm.name}>"

    @property
    def alphanumeric(self) -> bool:
        """True when some position admits letters."""
        return any(char.isalpha() for char in self.all_chars)

    def compact(self, text: object) -> str:
        """Upper-case and strip separators; InvalidFormat for non-text input."""
        return compact(text)

    def validate(self, text: object) -> str:
        """Return the compact number or raise InvalidFormat/Length/Component/Checksum."""
        number = self._checked_layout(text)
        self._lookup_prefix(number)
        if not self.algorithm.accepts(number):
            raise InvalidChecksum(
                f"the check character of this {self.label} does not match",
                algorithm=self.algorithm.name,
                position=self.length - self.algorithm.check_length,
            )
        return number

    def is_valid(self, text: object) -> bool:
        """Like validate(), but answers False instead of raising."""
        try:
            self.validate(text)
        except ValidationError:
            return False
        return True

    def accepts(self, number: str) -> bool:
        """Fast check of an already compact string (for analysis and candidate search)."""
        return (
            len(number) == self.length
            and all(char in allowed for char, allowed in zip(number, self.positions))
            and (self.prefix_segment is None or number[: self.prefix_segment.length] in self.prefixes)
            and self.algorithm.accepts(number)
        )

    def prefix_of(self, text: object) -> Prefix | None:
        """The Prefix of a number (None for a scheme without prefix segment)."""
        return self._lookup_prefix(self._checked_layout(text))

    def groups(self, text: object) -> list[str]:
        """The number cut into display groups. Layout is checked, the check digit is not,
        so the bot can read back what it heard before saying it is wrong."""
        number = self._checked_layout(text)
        result, start = [], 0
        for size in self.group_lengths:
            result.append(number[start : start + size])
            start += size
        return result

    def format(self, text: object) -> str:
        """The number grouped per `display`, e.g. '10 1234 5679'."""
        characters = iter("".join(self.groups(text)))
        return "".join(next(characters) if c == "#" else c for c in self.display)

    def spoken_groups(self, text: object) -> list[list[str]]:
        """Readback tokens per display group: digits as '1', letters as NATO words."""
        return [spoken.tokens(group) for group in self.groups(text)]

    def keypad_candidates(self, digits: object) -> list[str]:
        """Valid numbers whose phone-keypad form is `digits`, sorted."""
        return keypad.candidates(self, digits)

    def generate(self, prefix: str | None, rng: random.Random) -> str:
        """A new valid number with a random serial under `prefix`."""
        return issuance.generate(self, prefix, rng)

    def _checked_layout(self, text: object) -> str:
        # Characters first, then length: "you typed a star" beats "too short" as a re-prompt.
        number = compact(text)
        for position, char in enumerate(number):
            allowed = self.positions[position] if position < self.length else self.all_chars
            if char not in allowed:
                raise InvalidFormat(
                    f"{char!r} cannot occur at position {position} of a {self.label}",
                    character=char,
                    position=position,
                    expected=describe(allowed),
                )
        if len(number) != self.length:
            raise InvalidLength(
                f"a {self.label} has {self.length} characters, got {len(number)}",
                expected=[self.length],
                got=len(number),
            )
        return number

    def _lookup_prefix(self, number: str) -> Prefix | None:
        if self.prefix_segment is None:
            return None
        code = number[: self.prefix_segment.length]
        try:
            return self.prefixes[code]
        except KeyError:
            raise InvalidComponent(
                f"no {self.label} starts with {code}",
                prefix=code,
                expected=sorted(self.prefixes),
            ) from None


def _groups(display: str) -> list[str]:
    groups, current = [], ""
    for char in display:
        if char == "#":
            current += char
        elif current:
            groups.append(current)
            current = ""
    return groups + ([current] if current else [])
