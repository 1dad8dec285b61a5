"""Opening hours per department: weekly hours in a time zone, and holidays when it is closed all day.

    hours:
      timezone: Europe/London
      weekly: {mon-fri: "08:00-20:00", sat: "09:00-13:00"}   # days not listed are closed
      holidays: [2026-12-25, 2026-12-26]
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OpeningHours:
    timezone: ZoneInfo
    weekly: dict[int, tuple[tuple[dt.time, dt.time], ...]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()

    def is_open(self, at: dt.datetime) -> bool:
        local = at.astimezone(self.timezone)
        if local.date() in self.holidays:
            return False
        now = local.time()
        return any(start <= now < end for start, end in self.weekly.get(local.weekday(), ()))


def parse_hours(data: Any, *, default_timezone: str = "Europe/London",
                shared_holidays: frozenset[dt.date] = frozenset()) -> tuple[OpeningHours | None, list[tuple[tuple, str]]]:
    """Opening hours, or the problems as (path within `hours`, message) pairs."""
    if not isinstance(data, Mapping):
        return None, [((), "expected timezone, weekly and holidays")]
    problems: list[tuple[tuple, str]] = []
    for key in data:
        if key not in ("timezone", "weekly", "holidays"):
            problems.append(((key,), f"unknown field {key!r}; expected timezone, weekly, holidays"))
    name = data.get("timezone", default_timezone)
    try:
        zone = ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append((("timezone",), f"unknown time zone {name!r}; expected a name like Europe/London"))
        zone = ZoneInfo("UTC")
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    spec = data.get("weekly") or {}
    if not isinstance(spec, Mapping):
        problems.append((("weekly",), 'expected days and hours, e.g. {mon-fri: "08:00-20:00"}'))
        spec = {}
    for days, ranges in spec.items():
        found_days = _days(str(days))
        if found_days is None:
            problems.append((("weekly", days), f"unknown day or range {days!r}; expected e.g. mon, mon-fri, sat-sun"))
            continue
        for text in ranges if isinstance(ranges, list) else [ranges]:
            span = _span(text)
            if span is None:
                problems.append((("weekly", days), f'expected hours like "08:00-20:00" (closing after opening), got {text!r}'))
                continue
            for day in found_days:
                weekly.setdefault(day, []).append(span)
    holidays = set(shared_holidays)
    for index, day in enumerate(data.get("holidays") or []):
        if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
            holidays.add(day)
        else:
            problems.append((("holidays", index), f"expected a date like 2026-12-25, got {day!r}"))
    if problems:
        return None, problems
    return OpeningHours(zone, {d: tuple(sorted(r)) for d, r in weekly.items()}, frozenset(holidays)), []


def parse_holidays(data: Any) -> tuple[frozenset[dt.date], list[tuple[tuple, str]]]:
    if data is None:
        return frozenset(), []
    if not isinstance(data, list):
        return frozenset(), [((), "expected a list of dates like 2026-12-25")]
    problems = [((i,), f"expected a date like 2026-12-25, got {d!r}") for i, d in enumerate(data)
                if not isinstance(d, dt.date) or isinstance(d, dt.datetime)]
    return frozenset(d for d in data if isinstance(d, dt.date)), problems


def _days(text: str) -> list[int] | None:
    text = text.strip().lower()
    if text in ("daily", "every day"):
        return list(range(7))
    if "-" in text:
        first, _, last = text.partition("-")
        if first in DAYS and last in DAYS:
            a, b = DAYS.index(first), DAYS.index(last)
            return list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
        return None
    return [DAYS.index(text)] if text in DAYS else None


def _span(text: Any) -> tuple[dt.time, dt.time] | None:
    match = _RANGE.match(str(text))
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        return None
    start = dt.time(h1, m1)
    end = dt.time.max if h2 == 24 else dt.time(h2, m2)
    return (start, end) if start < end else None
