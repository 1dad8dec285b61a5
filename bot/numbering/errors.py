"""Exceptions raised while checking customer numbers and loading their definitions.

Validation errors subclass python-stdnum's exceptions, so code written against stdnum
(`except stdnum.exceptions.InvalidChecksum`) keeps working, and add two attributes the
conversation engine uses to pick a re-prompt: `kind` and `details`.
"""

from __future__ import annotations

from typing import Any

from stdnum import exceptions as stdnum_exceptions

__all__ = [
    "NumberError",
    "InvalidFormat",
    "InvalidLength",
    "InvalidComponent",
    "InvalidChecksum",
    "SchemeDefinitionError",
    "SerialSpaceExhausted",
]


class NumberError(stdnum_exceptions.ValidationError):
    """Base of the validation errors; `kind` names the re-prompt, `details` fills it."""

    kind: str = ""

    def __init__(self, message: str | None = None, /, **details: Any) -> None:
        super().__init__(*([message] if message else []))
        self.details: dict[str, Any] = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, kind={self.kind!r}, details={self.details!r})"


class InvalidFormat(NumberError, stdnum_exceptions.InvalidFormat):
    """A character that cannot occur at its position, or input that is not text at all."""

    kind = "format"


# stdnum makes InvalidLength a kind of InvalidFormat; keep that so `except InvalidFormat`
# still catches both, and check `.kind` (or the class) when the difference matters.
class InvalidLength(InvalidFormat, stdnum_exceptions.InvalidLength):
    """The number has more or fewer characters than any accepted layout."""

    kind = "length"


class InvalidComponent(NumberError, stdnum_exceptions.InvalidComponent):
    """A part of the number (the prefix) refers to nothing we know."""

    kind = "component"


class InvalidChecksum(NumberError, stdnum_exceptions.InvalidChecksum):
    """The check character does not match: most likely a misheard or mistyped character."""

    kind = "checksum"


class SchemeDefinitionError(ValueError):
    """A scheme definition (flows/numbering.yaml) is wrong; `path` locates the bad value."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        self.path = tuple(path)
        self.message = message
        super().__init__(f"{format_path(self.path)}: {message}")


class SerialSpaceExhausted(RuntimeError):
    """No unused serial could be found: the prefix's range is (nearly) full."""


def format_path(path: tuple[str | int, ...]) -> str:
    """Render ("schemes", 0, "segments", 2) as 'schemes[0].segments[2]' for messages."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"
