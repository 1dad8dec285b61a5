"""Several schemes in use at once (today's numbers, a legacy range), told apart by
prefix or length, behind the same stdnum-style interface as one Scheme."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.exceptions import ValidationError

from .characters import compact, describe
from .definition import schemes_from_dict
from .errors import InvalidFormat, InvalidLength, NumberError, SchemeDefinitionError
from .scheme import Prefix, Scheme

__all__ = ["Match", "SchemeSet", "load_schemes", "DEFAULT_SCHEMES_PATH"]

DEFAULT_SCHEMES_PATH = Path(__file__).resolve().parents[2] / "flows" / "numbering.yaml"

# Which failure says most about the caller's input: a scheme whose layout fitted and only
# failed its check ("one character is wrong") beats one that rejected the prefix, which
# beats one that rejected a character.
_PROGRESS = {"format": 0, "length": 0, "component": 1, "checksum": 2}


@dataclass(frozen=True)
class Match:
    """A valid number, the scheme it belongs to and its prefix (None if unprefixed)."""

    scheme: Scheme
    number: str
    prefix: Prefix | None


class SchemeSet:
    """Schemes that coexist; the first one is the default for issuing new numbers."""

    def __init__(self, schemes: list[Scheme] | tuple[Scheme, ...]) -> None:
        if not schemes:
            raise ValueError("a SchemeSet needs at least one scheme")
        self.schemes = tuple(schemes)
        self.lengths = tuple(sorted({scheme.length for scheme in self.schemes}))
        self._all_chars = "".join(sorted({c for scheme in self.schemes for c in scheme.all_chars}))

    @classmethod
    def from_dict(cls, data: Any) -> SchemeSet:
        """Build from a `{schemes: [...]}` mapping; SchemeDefinitionError locates mistakes."""
        return cls(schemes_from_dict(data))

    def __iter__(self) -> Iterator[Scheme]:
        return iter(self.schemes)

    def __len__(self) -> int:
        return len(self.schemes)

    def __repr__(self) -> str:
        return f"<SchemeSet {[scheme.name for scheme in self.schemes]}>"

    @property
    def default(self) -> Scheme:
        """The first scheme: the one new numbers are issued in."""
        return self.schemes[0]

    @property
    def alphanumeric(self) -> bool:
        """True when some scheme admits letters (prompts then offer spelling)."""
        return any(scheme.alphanumeric for scheme in self.schemes)

    def get(self, name: str) -> Scheme | None:
        """The scheme called `name`, or None."""
        return next((scheme for scheme in self.schemes if scheme.name == name), None)

    def compact(self, text: object) -> str:
        """Upper-case and strip separators; InvalidFormat for non-text input."""
        return compact(text)

    def validate(self, text: object) -> Match:
        """The Match for a valid number, or the most informative error across schemes."""
        number = compact(text)
        fitting = [scheme for scheme in self.schemes if scheme.length == len(number)]
        if not fitting:
            for position, char in enumerate(number):
                if char not in self._all_chars:
                    raise InvalidFormat(
                        f"{char!r} cannot occur in a customer number",
                        character=char,
                        position=position,
                        expected=describe(self._all_chars),
                    )
            raise InvalidLength(
                f"expected {' or '.join(map(str, self.lengths))} characters, got {len(number)}",
                expected=list(self.lengths),
                got=len(number),
            )
        best: NumberError | None = None
        for scheme in fitting:
            try:
                scheme.validate(number)
            except NumberError as error:
                if best is None or _PROGRESS[error.kind] > _PROGRESS[best.kind]:
                    best = error
                continue
            return Match(scheme, number, scheme.prefix_of(number))
        assert best is not None
        raise best

    def is_valid(self, text: object) -> bool:
        """Like validate(), but answers False instead of raising."""
        try:
            self.validate(text)
        except ValidationError:
            return False
        return True

    def prefix_of(self, text: object) -> Prefix | None:
        """The Prefix of a valid number."""
        return self.validate(text).prefix

    def format(self, text: object) -> str:
        """The number grouped per its scheme's `display`."""
        return self._layout_scheme(text).format(text)

    def spoken_groups(self, text: object) -> list[list[str]]:
        """Readback tokens in display groups, per the number's scheme."""
        return self._layout_scheme(text).spoken_groups(text)

    def keypad_candidates(self, digits: object) -> list[str]:
        """Valid numbers of any scheme whose keypad form is `digits`, sorted."""
        return sorted({n for scheme in self.schemes for n in scheme.keypad_candidates(digits)})

    def _layout_scheme(self, text: object) -> Scheme:
        # Formatting needs the layout, not a valid check: prefer the scheme that accepts
        # the number, then the first whose layout fits, and otherwise validate's error.
        try:
            return self.validate(text).scheme
        except NumberError as error:
            for scheme in self.schemes:
                try:
                    scheme.groups(text)
                except NumberError:
                    continue
                return scheme
            raise error from None


def load_schemes(path: str | Path = DEFAULT_SCHEMES_PATH) -> SchemeSet:
    """Read and check a scheme file (by default flows/numbering.yaml)."""
    from bot.yaml_source import ConfigError, parse_yaml  # the one YAML reader every flow file goes through

    text = Path(path).read_text(encoding="utf-8")
    try:
        data = parse_yaml(text, str(path)).data
    except ConfigError as error:
        raise SchemeDefinitionError((), str(error)) from None
    return SchemeSet.from_dict(data)
