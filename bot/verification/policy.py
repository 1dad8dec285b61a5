"""Verification policies as data: rules over factors, nested as deep as needed.

    all_of: [date_of_birth, postcode]                      every one
    at_least: 2                                            N of M
    of: [date_of_birth, postcode, last_four]
    any_of: [pin, one_time_code]                           at least one
    all_of: [date_of_birth, {any_of: [postcode, email]}]   rules inside rules

A policy that weak factors alone (a name, caller ID) could pass is refused: caller ID can be
spoofed and names are matched fuzzily.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

DEFAULT_NOTICE = ("Someone failed our security questions for your account ending {last_four} several times, so we "
                  "have paused phone and chat checks on it for {hours} hours. If that was you, please call us. If it "
                  "wasn't, nobody has got into your account: please call us on the number on your card.")
RULE_HELP = "expected `all_of: [...]`, `any_of: [...]`, or `at_least: N` with `of: [...]`"


@dataclass(frozen=True)
class Rule:
    required: int
    parts: tuple[Union[str, "Rule"], ...]

    def passes(self, results: Mapping[str, bool]) -> bool:
        return sum(1 for part in self.parts if _passes(part, results)) >= self.required

    @property
    def factors(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for part in self.parts:
            for name in ((part,) if isinstance(part, str) else part.factors):
                seen[name] = None
        return tuple(seen)


def _passes(part: str | Rule, results: Mapping[str, bool]) -> bool:
    return results.get(part) is True if isinstance(part, str) else part.passes(results)


@dataclass(frozen=True)
class Policy:
    name: str
    rule: Rule

    @property
    def factors(self) -> tuple[str, ...]:
        """Every factor the policy mentions, in the order written."""
        return self.rule.factors

    def passes(self, results: Mapping[str, bool]) -> bool:
        return self.rule.passes(results)

    def passed(self, results: Mapping[str, bool]) -> list[str]:
        return [f for f in self.factors if results.get(f) is True]


@dataclass(frozen=True)
class Lockout:
    threshold: int = 3
    window_hours: float = 24
    # Texted to the phone on file when the number locks (the customer may not be the one failing).
    # {last_four}: the customer number's last four characters; {hours}: the window.
    notify: str = DEFAULT_NOTICE

    def notice(self, number: str) -> str:
        hours = f"{self.window_hours:g}"
        return self.notify.replace("{last_four}", number[-4:]).replace("{hours}", hours)


def parse_rule(data: Any, known_factors: set[str], path: tuple = ()) -> tuple[Rule | None, list[tuple[tuple, str]]]:
    if not isinstance(data, Mapping):
        return None, [(path, RULE_HELP)]
    problems: list[tuple[tuple, str]] = []
    # `factors:` is the older spelling of `of:`.
    allowed = {"all_of", "any_of", "at_least", "of", "factors"}
    for key in sorted(set(data) - allowed, key=str):
        problems.append((path + (key,), f"unknown field {key!r}; {RULE_HELP}"))
    kinds = [k for k in ("all_of", "any_of", "at_least") if k in data]
    if len(kinds) != 1:
        return None, problems + [(path, RULE_HELP + " (exactly one of all_of, any_of, at_least)")]
    kind = kinds[0]
    if kind == "at_least":
        key = "of" if "of" in data else "factors"
        items, required = data.get(key), data["at_least"]
        if isinstance(required, bool) or not isinstance(required, int) or required < 1:
            problems.append((path + ("at_least",), f"expected a whole number of at least 1, got {required!r}"))
            required = None
    else:
        key, items = kind, data[kind]
        required = 1 if kind == "any_of" else None
    if not isinstance(items, list) or not items:
        return None, problems + [(path + (key,), "expected a non-empty list of factor names or rules")]
    parts: list[str | Rule] = []
    for index, item in enumerate(items):
        where = path + (key, index)
        if isinstance(item, str):
            if item not in known_factors:
                problems.append((where, f"unknown factor {item!r}; expected one of {', '.join(sorted(known_factors))}"))
            elif item in parts:
                problems.append((where, f"factor {item!r} is listed twice"))
            parts.append(item)
        else:
            rule, found = parse_rule(item, known_factors, where)
            problems += found
            if rule is not None:
                parts.append(rule)
    if isinstance(required, int) and required > len(items):
        problems.append((path + ("at_least",), f"at_least is {required} but only {len(items)} are listed"))
    if problems:
        return None, problems
    return Rule(len(parts) if required is None else required, tuple(parts)), []


def parse_policy(name: str, data: Any, known_factors: set[str],
                 weak_factors: frozenset[str] = frozenset()) -> tuple[Policy | None, list[tuple[tuple, str]]]:
    """Returns the policy, or the problems as (path within the policy, message) pairs."""
    rule, problems = parse_rule(data, known_factors)
    if rule is None:
        return None, problems
    weak = [f for f in rule.factors if f in weak_factors]
    if weak and rule.passes({f: True for f in weak}):
        return None, [((), f"{' and '.join(weak)} alone would pass this policy; they are weak (caller ID can be "
                           "spoofed, names are matched loosely): require a factor the caller must know or hold")]
    return Policy(name, rule), []
