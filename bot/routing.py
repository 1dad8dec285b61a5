"""Departments, where their calls go, and the context handed over with a caller."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine.io import Handoff, Target
from bot.engine.state import State
from bot.engine.source import did_you_mean
from bot.hours import OpeningHours, parse_holidays, parse_hours

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_QUEUE = re.compile(r"^[A-Za-z0-9_.\- ]+$")
MAX_QUEUE = 64  # Twilio's limit on a queue's friendly name


@dataclass(frozen=True)
class Department:
    name: str
    label: str
    target: Target
    synonyms: tuple[str, ...] = ()
    hours: OpeningHours | None = None  # None: always open
    after_hours: AfterHours | None = None


@dataclass(frozen=True)
class AfterHours:
    """What happens when a caller reaches a closed department."""

    action: str  # voicemail | sms | callback
    link: str | None = None  # for sms: the page the message points to


AFTER_HOURS_ACTIONS = ("voicemail", "sms", "callback")
DEPARTMENT_FIELDS = ("label", "target", "synonyms", "hours", "after_hours")


@dataclass(frozen=True)
class Routing:
    departments: dict[str, Department]
    general: str


def parse_departments(data: Any, *, workflow_sid: str | None = None) -> tuple[Routing | None, list[tuple[tuple, str]]]:
    """Build the routing table, or return the problems as (path, message) pairs."""
    problems: list[tuple[tuple, str]] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("departments"), Mapping) or not data["departments"]:
        return None, [((), "expected `departments:` with at least one department, and `general:` naming one")]
    for key in data:
        if key not in ("departments", "general", "timezone", "holidays"):
            problems.append(((key,), f"unknown field {key!r}; expected departments, general, timezone, holidays"))
    timezone = str(data.get("timezone", "Europe/London"))
    holidays, found = parse_holidays(data.get("holidays"))
    problems += [(("holidays",) + path, message) for path, message in found]
    departments: dict[str, Department] = {}
    for name, spec in data["departments"].items():
        path = ("departments", name)
        if not isinstance(spec, Mapping):
            problems.append((path, "expected label, target and optional synonyms"))
            continue
        for key in spec:
            if key not in DEPARTMENT_FIELDS:
                problems.append((path + (key,), f"unknown field {key!r}{did_you_mean(key, DEPARTMENT_FIELDS)}; "
                                                f"expected {', '.join(DEPARTMENT_FIELDS)}"))
        hours = None
        if spec.get("hours") is not None:
            hours, found = parse_hours(spec["hours"], default_timezone=timezone, shared_holidays=holidays)
            problems += [(path + ("hours",) + sub, message) for sub, message in found]
        after_hours, message = _after_hours(spec.get("after_hours"))
        if message:
            problems.append((path + ("after_hours",), message))
        target, message = _target(spec.get("target"), workflow_sid)
        if message:
            problems.append((path + ("target",), message))
            continue
        synonyms = spec.get("synonyms", [])
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            problems.append((path + ("synonyms",), "expected a list of words or phrases, e.g. [lost card, stolen card]"))
            synonyms = []
        departments[str(name)] = Department(str(name), str(spec.get("label", name)), target, tuple(synonyms),
                                            hours, after_hours)
    general = data.get("general")
    if general not in data["departments"]:
        problems.append((("general",), f"expected the name of a department for unverified callers, got {general!r}"
                                       f"{did_you_mean(general, data['departments'])}"))
    if problems:
        return None, problems
    return Routing(departments, general), []


def _after_hours(spec: Any) -> tuple[AfterHours | None, str | None]:
    if spec is None:
        return None, None
    expected = f"expected {{action: {' | '.join(AFTER_HOURS_ACTIONS)}}} and, for sms, link: https://..."
    if not isinstance(spec, Mapping) or spec.get("action") not in AFTER_HOURS_ACTIONS or set(spec) - {"action", "link"}:
        return None, expected
    link = spec.get("link")
    if spec["action"] == "sms" and not (isinstance(link, str) and link.startswith(("https://", "http://"))):
        return None, "an sms after-hours action needs link: https://... (the page the text message points to)"
    return AfterHours(spec["action"], link), None


def _target(spec: Any, workflow_sid: str | None) -> tuple[Target | None, str | None]:
    expected = "expected one of {queue: NAME}, {number: +E164}, {sip: sip:user@host}"
    if not isinstance(spec, Mapping) or len(spec) != 1:
        return None, expected
    (kind, address), = spec.items()
    address = str(address)
    if kind == "queue" and _QUEUE.match(address) and len(address) > MAX_QUEUE:
        return None, (f"a queue name is at most {MAX_QUEUE} characters (Twilio's limit); "
                      f"this one has {len(address)}: {address!r}")
    if kind == "queue" and not _QUEUE.match(address):
        return None, f"a queue name may hold letters, digits, spaces, '.', '_' and '-'; got {address!r}"
    if kind == "queue":
        return Target("queue", address, workflow_sid), None
    if kind == "number" and _E164.match(address):
        return Target("number", address), None
    if kind == "sip" and address.startswith(("sip:", "sips:")) and "@" in address:
        return Target("sip", address), None
    return None, f"{expected}; got {kind}: {address!r}"


def handoff_context(*, department: str, state: State, session_key: str, reason: str,
                    segment: str | None = None, customer_status: str | None = None) -> dict[str, Any]:
    """What the agent's desktop shows and routes on; the same shape on every channel."""
    return {
        "customer_number": state.customer_number,
        "verified": state.verified,
        "factors": list(state.factors_passed),
        "department": department,
        "channel": state.channel,
        "language": state.language,
        "call_sid": session_key if state.channel == "voice" else None,
        "locked": state.locked,
        "reason": reason,
        "segment": segment if state.verified else None,
        "customer_status": customer_status if state.verified else None,
    }


def build_handoff(routing: Routing, department: str, context: dict[str, Any]) -> Handoff:
    return Handoff(department=department, target=routing.departments[department].target, context=context)
