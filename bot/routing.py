"""Departments, where their calls go, and the context handed over with a caller."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.hours import OpeningHours, parse_holidays, parse_hours
from bot.records import Handoff, State, Target
from bot.yaml_source import did_you_mean

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
    # A queue target: seconds a caller may wait before being offered the alternatives, and what they
    # hear while waiting (None: silence).
    max_wait: int = 600
    hold_audio: str | None = None
    # What a caller is offered when no one takes the call (busy, no answer, failed, waited too long):
    # "callback", "voicemail", or the name of another department.
    unanswered: tuple[str, ...] = ("callback", "voicemail")


@dataclass(frozen=True)
class AfterHours:
    """What happens when a caller reaches a closed department."""

    action: str  # voicemail | sms | callback
    link: str | None = None  # for sms: the page the message points to


AFTER_HOURS_ACTIONS = ("voicemail", "sms", "callback")
DEPARTMENT_FIELDS = ("label", "target", "synonyms", "hours", "after_hours", "ring_seconds", "max_wait", "hold_audio",
                     "unanswered", "task")
TOP_LEVEL = ("departments", "general", "timezone", "holidays", "hold_audio", "unanswered")
UNANSWERED_ACTIONS = ("callback", "voicemail")
# Twilio's ranges: <Dial timeout> 5-600 s (https://www.twilio.com/docs/voice/twiml/dial#timeout); a
# TaskRouter Task's timeout up to 24 hours.
RING_SECONDS = (5, 600)
MAX_WAIT = (30, 3600)
TASK_TIMEOUT = (1, 86400)


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
        if key not in TOP_LEVEL:
            problems.append(((key,), f"unknown field {key!r}{did_you_mean(key, TOP_LEVEL)}; expected "
                                     f"{', '.join(TOP_LEVEL)}"))
    timezone = str(data.get("timezone", "Europe/London"))
    default_audio, message = _audio(data.get("hold_audio"))
    if message:
        problems.append((("hold_audio",), message))
    default_unanswered, found = _unanswered(data.get("unanswered"), data["departments"], None)
    problems += [(("unanswered",) + path, message) for path, message in found]
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
        handling, found = _handling(spec, target, data["departments"], str(name), default_audio, default_unanswered)
        problems += [(path + sub, message) for sub, message in found]
        departments[str(name)] = Department(str(name), str(spec.get("label", name)), handling.pop("target"),
                                            tuple(synonyms), hours, after_hours, **handling)
    general = data.get("general")
    if general not in data["departments"]:
        problems.append((("general",), f"expected the name of a department for unverified callers, got {general!r}"
                                       f"{did_you_mean(general, data['departments'])}"))
    if problems:
        return None, problems
    return Routing(departments, general), []


def _handling(spec: Mapping, target: Target, names: Mapping, name: str, default_audio: str | None,
              default_unanswered: tuple[str, ...] | None) -> tuple[dict[str, Any], list[tuple[tuple, str]]]:
    """How the department's line is handled: ringing time, queue wait and hold audio, Task settings, and
    what a caller is offered when no one answers."""
    problems: list[tuple[tuple, str]] = []
    values: dict[str, Any] = {}
    queue_only = ("max_wait", "hold_audio", "task")
    for key in queue_only:
        if key in spec and target.kind != "queue":
            problems.append(((key,), f"{key} applies to a queue target; this department's target is a {target.kind}"))
    if "ring_seconds" in spec and target.kind == "queue":
        problems.append((("ring_seconds",), "ring_seconds applies to a number or SIP target (<Dial timeout>); "
                                             "a queue waits up to max_wait"))
    ring, message = _whole(spec.get("ring_seconds", target.ring_seconds), *RING_SECONDS, "seconds of ringing")
    if message:
        problems.append((("ring_seconds",), message))
    if "max_wait" in spec:
        values["max_wait"], message = _whole(spec["max_wait"], *MAX_WAIT, "seconds in the queue")
        if message:
            problems.append((("max_wait",), message))
    audio, message = _audio(spec.get("hold_audio"))
    if message:
        problems.append((("hold_audio",), message))
    values["hold_audio"] = audio or default_audio
    priority = timeout = None
    task = spec.get("task")
    if task is not None:
        if not isinstance(task, Mapping) or not task or set(task) - {"priority", "timeout"}:
            problems.append((("task",), "expected {priority: N, timeout: SECONDS} (TaskRouter's Task attributes)"))
        else:
            if "priority" in task:
                priority, message = _whole(task["priority"], 0, 2 ** 31 - 1, "a priority")
                if message:
                    problems.append((("task", "priority"), message))
            if "timeout" in task:
                timeout, message = _whole(task["timeout"], *TASK_TIMEOUT, "seconds")
                if message:
                    problems.append((("task", "timeout"), message))
    unanswered, found = _unanswered(spec.get("unanswered"), names, name)
    problems += [(("unanswered",) + path, message) for path, message in found]
    values["unanswered"] = unanswered or default_unanswered or Department.unanswered
    values["target"] = Target(target.kind, target.address, target.workflow_sid, ring_seconds=ring or target.ring_seconds,
                              task_priority=priority, task_timeout=timeout)
    values = {k: v for k, v in values.items() if v is not None}
    return values, problems


def _unanswered(spec: Any, names: Mapping, own: str | None) -> tuple[tuple[str, ...] | None, list[tuple[tuple, str]]]:
    if spec is None:
        return None, []
    expected = "expected a list of callback, voicemail or other departments, e.g. [callback, voicemail] or [general]"
    if not isinstance(spec, list) or not spec or len(spec) > 3:
        return None, [((), expected + " (one to three)")]
    problems: list[tuple[tuple, str]] = []
    for index, option in enumerate(spec):
        if not isinstance(option, str):
            problems.append(((index,), expected))
        elif option not in UNANSWERED_ACTIONS and option not in names:
            problems.append(((index,), f"unknown alternative {option!r}"
                                       f"{did_you_mean(option, [*UNANSWERED_ACTIONS, *names])}; expected callback, "
                                       f"voicemail or a department: {', '.join(sorted(names))}"))
        elif option == own:
            problems.append(((index,), f"{option!r} is this department: offer another one, a callback or voicemail"))
        elif spec.index(option) != index:
            problems.append(((index,), f"{option!r} is offered twice"))
    return (None if problems else tuple(spec)), problems


def _whole(value: Any, low: int, high: int, what: str) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None, f"expected {what}: a whole number from {low} to {high}, got {value!r}"
    return value, None


def _audio(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        return None, f"expected the URL of an audio file Twilio can <Play> (https://...), got {value!r}"
    return value, None


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
