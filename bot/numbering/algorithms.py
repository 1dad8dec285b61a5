"""Registry of check-character algorithms: a name in the YAML -> an adapter over stdnum.

The arithmetic is python-stdnum's; an adapter only adds what a scheme needs to know
before trusting it: which characters the algorithm accepts in the payload, which check
characters it can produce (mod 11,2 gives 'X', mod 37,2 gives '*'), and how many.
It also refuses characters stdnum would silently accept (stdnum's digit algorithms call
int(), which reads Arabic-Indic digits too), so a number is only valid in one spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType

from stdnum import damm, luhn, verhoeff
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_11_2, mod_11_10, mod_37_2, mod_37_36, mod_97_10

from .characters import ALPHANUMERIC, DIGITS, describe
from .errors import InvalidChecksum, InvalidFormat, InvalidLength

__all__ = ["Algorithm", "ALGORITHMS", "get_algorithm"]


@dataclass(frozen=True)
class Algorithm:
    """One check-character algorithm, as schemes and analysis see it."""

    name: str
    label: str
    payload_chars: str  # characters stdnum can compute over
    check_chars: str  # characters calc_check may return
    native: str  # alphabet the algorithm was designed for: "digits" or "alphanumeric"
    _calc: Callable[[str], str] = field(repr=False)
    _is_valid: Callable[[str], bool] = field(repr=False)
    check_length: int = 1

    def calc_check(self, payload: str) -> str:
        """Check character(s) to append to `payload` (already compact)."""
        self._require_chars(payload, self.payload_chars, 0)
        return self._calc(payload)

    def validate(self, number: str) -> str:
        """Return `number` (payload + check) or raise InvalidFormat/InvalidChecksum."""
        if not isinstance(number, str):
            raise InvalidFormat(f"expected text, got {type(number).__name__}", got=type(number).__name__)
        if len(number) <= self.check_length:
            raise InvalidLength(
                f"{self.name} needs at least {self.check_length + 1} characters",
                minimum=self.check_length + 1,
                got=len(number),
            )
        split = len(number) - self.check_length
        self._require_chars(number[:split], self.payload_chars, 0)
        self._require_chars(number[split:], self.check_chars, split)
        if not self._is_valid(number):
            raise InvalidChecksum(f"{self.name} check does not match", algorithm=self.name)
        return number

    def is_valid(self, number: str) -> bool:
        """Like validate(), but answers False instead of raising."""
        try:
            self.validate(number)
        except ValidationError:
            return False
        return True

    def accepts(self, number: str) -> bool:
        """Fast path for analysis: `number` already has the right characters."""
        return self._is_valid(number)

    @staticmethod
    def _require_chars(text: str, allowed: str, offset: int) -> None:
        for position, char in enumerate(text, offset):
            if char not in allowed:
                raise InvalidFormat(
                    f"{char!r} cannot occur at position {position}",
                    character=char,
                    position=position,
                    expected=describe(allowed),
                )


_ALNUM_STAR = ALPHANUMERIC + "*"

ALGORITHMS: Mapping[str, Algorithm] = MappingProxyType(
    {
        a.name: a
        for a in (
            Algorithm("luhn", "Luhn (mod 10)", DIGITS, DIGITS, "digits", luhn.calc_check_digit, luhn.is_valid),
            Algorithm(
                "luhn_mod_n",
                "Luhn mod 36",
                ALPHANUMERIC,
                ALPHANUMERIC,
                "alphanumeric",
                partial(luhn.calc_check_digit, alphabet=ALPHANUMERIC),
                partial(luhn.is_valid, alphabet=ALPHANUMERIC),
            ),
            Algorithm("verhoeff", "Verhoeff", DIGITS, DIGITS, "digits", verhoeff.calc_check_digit, verhoeff.is_valid),
            Algorithm("damm", "Damm", DIGITS, DIGITS, "digits", damm.calc_check_digit, damm.is_valid),
            Algorithm(
                "iso7064_mod_11_10",
                "ISO 7064 mod 11,10",
                DIGITS,
                DIGITS,
                "digits",
                mod_11_10.calc_check_digit,
                mod_11_10.is_valid,
            ),
            Algorithm(
                "iso7064_mod_11_2",
                "ISO 7064 mod 11,2",
                DIGITS,
                DIGITS + "X",
                "digits",
                mod_11_2.calc_check_digit,
                mod_11_2.is_valid,
            ),
            Algorithm(
                "iso7064_mod_37_2",
                "ISO 7064 mod 37,2",
                ALPHANUMERIC,
                _ALNUM_STAR,
                "alphanumeric",
                mod_37_2.calc_check_digit,
                mod_37_2.is_valid,
            ),
            Algorithm(
                "iso7064_mod_37_36",
                "ISO 7064 mod 37,36",
                ALPHANUMERIC,
                ALPHANUMERIC,
                "alphanumeric",
                mod_37_36.calc_check_digit,
                mod_37_36.is_valid,
            ),
            # stdnum reads letters as base-36 values (as IBAN does), so letters may sit in
            # the payload; the two check characters are always digits.
            Algorithm(
                "iso7064_mod_97_10",
                "ISO 7064 mod 97,10",
                ALPHANUMERIC,
                DIGITS,
                "digits",
                mod_97_10.calc_check_digits,
                mod_97_10.is_valid,
                check_length=2,
            ),
        )
    }
)


def get_algorithm(name: str) -> Algorithm:
    """The registered algorithm called `name`; KeyError lists the known names."""
    try:
        return ALGORITHMS[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown check algorithm {name!r}; known: {', '.join(ALGORITHMS)}") from None
