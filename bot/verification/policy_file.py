"""policy.yaml as a whole: policies, lockout, velocity limits, what departments require, and
factor settings. Cross-file checks (department names, Verify configured, the flow stepping up)
are the bundle's: see bot.engine.bundle."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.verification.factors import FACTORS
from bot.verification.policy import Lockout, Policy, parse_policy

TOP_LEVEL = ("policies", "lockout", "velocity", "departments", "factors")


@dataclass(frozen=True)
class Limit:
    threshold: int
    window_minutes: float


@dataclass(frozen=True)
class Velocity:
    """Failed verifications allowed from one source across conversations, whatever numbers it tries."""

    caller_id: Limit = Limit(10, 60)  # voice, SMS, WhatsApp: per caller ID (a withheld one: per call)
    client_address: Limit = Limit(10, 60)  # web chat: per client address (stored hashed)
    withheld: Limit = Limit(25, 60)  # every withheld caller ID together: anonymous guessing stays bounded


VELOCITY_KEYS = ("caller_id", "client_address", "withheld")
# Four SMS segments: a notice should say what happened and what to do, no more.
MAX_NOTICE_CHARS = 600


@dataclass(frozen=True)
class NameSettings:
    first_threshold: float = 0.90
    last_threshold: float = 0.92


@dataclass(frozen=True)
class PolicyConfig:
    policies: dict[str, Policy] = field(default_factory=dict)
    lockout: Lockout = Lockout()
    velocity: Velocity = Velocity()
    # Department -> factors a caller must have passed before being handed to it.
    requirements: dict[str, tuple[str, ...]] = field(default_factory=dict)
    name: NameSettings = NameSettings()


Problems = list[tuple[tuple, str]]


def _number(value: Any, low: float, high: float, *, whole: bool = False) -> bool:
    kinds = (int,) if whole else (int, float)
    return not isinstance(value, bool) and isinstance(value, kinds) and low <= value <= high


def parse_policy_file(data: Any) -> tuple[PolicyConfig, Problems]:
    if not isinstance(data, Mapping) or not isinstance(data.get("policies"), Mapping) or not data["policies"]:
        return PolicyConfig(), [((), "expected `policies:` with at least one policy, and `lockout:`")]
    problems: Problems = [((key,), f"unknown field {key!r}; expected {', '.join(TOP_LEVEL)}")
                          for key in data if key not in TOP_LEVEL]
    weak = frozenset(name for name, factor in FACTORS.items() if factor.weak)
    policies: dict[str, Policy] = {}
    for name, spec in data["policies"].items():
        policy, found = parse_policy(str(name), spec, set(FACTORS), weak)
        problems += [(("policies", name) + path, message) for path, message in found]
        if policy:
            policies[str(name)] = policy
    lockout = _lockout(data.get("lockout"), problems)
    velocity = _velocity(data.get("velocity"), problems)
    requirements = _requirements(data.get("departments"), problems)
    name = _name_settings(data.get("factors"), problems)
    return PolicyConfig(policies, lockout, velocity, requirements, name), problems


def _lockout(data: Any, problems: Problems) -> Lockout:
    data = data or {}
    if not isinstance(data, Mapping):
        problems.append((("lockout",), "expected threshold and window_hours"))
        return Lockout()
    threshold, window = data.get("threshold", 3), data.get("window_hours", 24)
    ok = True
    if not _number(threshold, 1, 100, whole=True):
        problems.append((("lockout", "threshold"), f"expected a whole number from 1 to 100, got {threshold!r}"))
        ok = False
    if not _number(window, 0, 24 * 365) or window == 0:
        problems.append((("lockout", "window_hours"), f"expected hours from 1 to 8760, got {window!r}"))
        ok = False
    notify = data.get("notify", Lockout.notify)
    if not isinstance(notify, str) or not notify.strip() or len(notify) > MAX_NOTICE_CHARS:
        problems.append((("lockout", "notify"), f"expected the text message to send, at most {MAX_NOTICE_CHARS} characters"))
        ok = False
    elif "{last_four}" not in notify:
        problems.append((("lockout", "notify"), "say which account: the text needs {last_four}"))
        ok = False
    for key in data:
        if key not in ("threshold", "window_hours", "notify"):
            problems.append((("lockout", key), f"unknown field {key!r}; expected threshold, window_hours, notify"))
    return Lockout(threshold, window, " ".join(notify.split())) if ok else Lockout()


def _velocity(data: Any, problems: Problems) -> Velocity:
    data = data or {}
    if not isinstance(data, Mapping):
        problems.append((("velocity",), "expected caller_id, client_address and withheld, each {threshold: N, window_minutes: M}"))
        return Velocity()
    limits = {}
    for key in data:
        if key not in VELOCITY_KEYS:
            problems.append((("velocity", key), f"unknown field {key!r}; expected {', '.join(VELOCITY_KEYS)}"))
    for key in VELOCITY_KEYS:
        default = getattr(Velocity, key)
        spec = data.get(key)
        if spec is None:
            limits[key] = default
            continue
        if not isinstance(spec, Mapping) or set(spec) - {"threshold", "window_minutes"}:
            problems.append((("velocity", key), "expected {threshold: N, window_minutes: M}"))
            continue
        threshold, window = spec.get("threshold", default.threshold), spec.get("window_minutes", default.window_minutes)
        if not _number(threshold, 1, 10_000, whole=True):
            problems.append((("velocity", key, "threshold"), f"expected a whole number from 1 to 10000, got {threshold!r}"))
        elif not _number(window, 1, 7 * 24 * 60):
            problems.append((("velocity", key, "window_minutes"), f"expected minutes from 1 to 10080, got {window!r}"))
        else:
            limits[key] = Limit(threshold, window)
    return Velocity(**limits) if len(limits) == len(VELOCITY_KEYS) else Velocity()


def _requirements(data: Any, problems: Problems) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        problems.append((("departments",), "expected department names, each with `require: [factors]`"))
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for department, spec in data.items():
        path = ("departments", department)
        if not isinstance(spec, Mapping) or set(spec) != {"require"}:
            problems.append((path, "expected `require: [factors]`, e.g. require: [one_time_code]"))
            continue
        factors = spec["require"]
        if not isinstance(factors, list) or not factors:
            problems.append((path + ("require",), "expected a non-empty list of factor names"))
            continue
        bad = False
        for index, factor in enumerate(factors):
            if factor not in FACTORS:
                problems.append((path + ("require", index),
                                 f"unknown factor {factor!r}; expected one of {', '.join(sorted(FACTORS))}"))
                bad = True
        if not bad:
            found[str(department)] = tuple(dict.fromkeys(factors))
    return found


def _name_settings(data: Any, problems: Problems) -> NameSettings:
    if data is None:
        return NameSettings()
    if not isinstance(data, Mapping):
        problems.append((("factors",), "expected settings per factor, e.g. name: {first_threshold: 0.9}"))
        return NameSettings()
    for key in data:
        if key != "name":
            problems.append((("factors", key), f"factor {key!r} has no settings; only name does"))
    spec = data.get("name") or {}
    if not isinstance(spec, Mapping):
        problems.append((("factors", "name"), "expected first_threshold and last_threshold"))
        return NameSettings()
    values = {}
    for key in spec:
        value = spec[key]
        if key not in ("first_threshold", "last_threshold"):
            problems.append((("factors", "name", key), f"unknown field {key!r}; expected first_threshold, last_threshold"))
        elif not _number(value, 0.5, 1.0):
            problems.append((("factors", "name", key), f"expected a Jaro-Winkler similarity from 0.5 to 1.0, got {value!r}"))
        else:
            values[key] = float(value)
    return NameSettings(**values)
