"""Verification policies as data: `all_of: [...]` or `at_least: N` of `factors: [...]`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Policy:
    name: str
    factors: tuple[str, ...]
    required: int

    def passes(self, results: Mapping[str, bool]) -> bool:
        return sum(1 for f in self.factors if results.get(f) is True) >= self.required

    def passed(self, results: Mapping[str, bool]) -> list[str]:
        return [f for f in self.factors if results.get(f) is True]


@dataclass(frozen=True)
class Lockout:
    threshold: int = 3
    window_hours: float = 24


def parse_policy(name: str, data: Any, known_factors: set[str]) -> tuple[Policy | None, list[tuple[tuple, str]]]:
    """Returns the policy, or the problems as (path within the policy, message) pairs."""
    if not isinstance(data, Mapping):
        return None, [((), "expected `all_of: [factors]` or `at_least: N` with `factors: [...]`")]
    unknown = set(data) - {"all_of", "at_least", "factors"}
    problems = [((key,), f"unknown field {key!r}; expected all_of, or at_least with factors") for key in sorted(unknown, key=str)]
    if "all_of" in data:
        factors, required = data["all_of"], None
        key = "all_of"
    else:
        factors, required = data.get("factors"), data.get("at_least")
        key = "factors"
        if isinstance(required, bool) or not isinstance(required, int) or required < 1:
            problems.append((("at_least",), f"expected a whole number of factors of at least 1, got {required!r}"))
    if not isinstance(factors, list) or not factors:
        problems.append(((key,), "expected a non-empty list of factor names"))
        return None, problems
    for index, factor in enumerate(factors):
        if factor not in known_factors:
            problems.append(((key, index), f"unknown factor {factor!r}; expected one of {', '.join(sorted(known_factors))}"))
    if isinstance(required, int) and not isinstance(required, bool) and required > len(factors):
        problems.append((("at_least",), f"at_least is {required} but only {len(factors)} factors are listed"))
    if problems:
        return None, problems
    return Policy(name, tuple(factors), len(factors) if required is None else required), []
