"""Opening hours per department: weekly hours in a time zone, and holidays when it is closed all day.

    hours:
      timezone: Europe/London
      weekly: {mon-fri: "08:00-20:00", sat: "09:00-13:00", sun: "22:00-07:00"}
      holidays: [{country: GB, subdivision: ENG}, 2026-12-24]

A range whose end is before its start runs overnight: "22:00-07:00" on Sunday is open from
Sunday 22:00 until Monday 07:00. A holiday closes the ranges that start on it (so a night shift
that begins the evening before still finishes). Public holidays come from the `holidays` package
(`{country: GB, subdivision: ENG}` includes substitute days such as Boxing Day observed on
2026-12-28); explicit dates are added to them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_EXAMPLE = "a date like 2026-12-25, or public holidays: {country: GB, subdivision: ENG}"

Span = tuple[dt.time, dt.time]  # start < end, or end <= start for a range that runs past midnight


@dataclass(frozen=True)
class Calendar:
    """Public holidays of a country (and subdivision), from the `holidays` package."""

    country: str
    subdivision: str | None = None

    def __contains__(self, day: dt.date) -> bool:
        return day in _country_holidays(self.country, self.subdivision)


@lru_cache(maxsize=32)
def _country_holidays(country: str, subdivision: str | None):
    import holidays

    # Years are filled in lazily as dates are looked up (expand=True, the package's default).
    return holidays.country_holidays(country, subdiv=subdivision)


@dataclass(frozen=True)
class Holidays:
    dates: frozenset[dt.date] = frozenset()
    calendars: tuple[Calendar, ...] = ()

    def __contains__(self, day: dt.date) -> bool:
        return day in self.dates or any(day in calendar for calendar in self.calendars)

    def __or__(self, other: "Holidays") -> "Holidays":
        return Holidays(self.dates | other.dates, tuple(dict.fromkeys(self.calendars + other.calendars)))


@dataclass(frozen=True)
class OpeningHours:
    timezone: ZoneInfo
    weekly: dict[int, tuple[Span, ...]] = field(default_factory=dict)
    holidays: Holidays = field(default_factory=Holidays)

    def is_open(self, at: dt.datetime) -> bool:
        local = at.astimezone(self.timezone)
        today, now = local.date(), local.time()
        yesterday = today - dt.timedelta(days=1)
        if today not in self.holidays:
            for start, end in self.weekly.get(local.weekday(), ()):
                if (start <= now < end) if start < end else now >= start:
                    return True
        # The part after midnight of a range that started the evening before.
        if yesterday not in self.holidays:
            for start, end in self.weekly.get(yesterday.weekday(), ()):
                if end <= start and now < end:
                    return True
        return False


def parse_date(value: Any) -> tuple[dt.date | None, str | None]:
    """A date as supervisors write it (2026-12-25), or a message saying what is wrong with it."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value, None
    text = str(value).strip()
    if not _DATE.match(text):
        return None, f"expected {DATE_EXAMPLE}; got {value!r}"
    try:
        return dt.date.fromisoformat(text), None
    except ValueError as exc:
        return None, f"{text} is not a date ({exc}); expected {DATE_EXAMPLE}"


def parse_hours(data: Any, *, default_timezone: str = "Europe/London",
                shared_holidays: Holidays | frozenset[dt.date] = Holidays()) -> tuple[OpeningHours | None, list[tuple[tuple, str]]]:
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
    weekly: dict[int, list[Span]] = {}
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
                problems.append((("weekly", days), 'expected hours like "08:00-20:00", or "22:00-07:00" for a '
                                                   f"night that runs past midnight; got {text!r}"))
                continue
            for day in found_days:
                weekly.setdefault(day, []).append(span)
    if not isinstance(shared_holidays, Holidays):
        shared_holidays = Holidays(frozenset(shared_holidays))
    own, found = parse_holidays(data.get("holidays"))
    problems += [(("holidays",) + path, message) for path, message in found]
    if problems:
        return None, problems
    return OpeningHours(zone, {d: tuple(sorted(r)) for d, r in weekly.items()}, shared_holidays | own), []


def parse_holidays(data: Any) -> tuple[Holidays, list[tuple[tuple, str]]]:
    """`[2026-12-25, ...]`, `{country: GB, subdivision: ENG}`, or a list mixing both."""
    if data is None:
        return Holidays(), []
    items = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else None
    if items is None:
        return Holidays(), [((), f"expected a list of dates like 2026-12-25, or {{country: GB, subdivision: ENG}}; got {data!r}")]
    dates: set[dt.date] = set()
    calendars: list[Calendar] = []
    problems: list[tuple[tuple, str]] = []
    for index, item in enumerate(items):
        path = (index,) if isinstance(data, list) else ()
        if isinstance(item, Mapping):
            calendar, found = _calendar(item)
            problems += [(path + sub, message) for sub, message in found]
            if calendar is not None:
                calendars.append(calendar)
            continue
        day, message = parse_date(item)
        if message:
            problems.append((path, message))
        else:
            dates.add(day)
    return Holidays(frozenset(dates), tuple(calendars)), problems


def _calendar(spec: Mapping) -> tuple[Calendar | None, list[tuple[tuple, str]]]:
    import holidays

    extra = [k for k in spec if k not in ("country", "subdivision")]
    if extra:
        return None, [((extra[0],), f"unknown field {extra[0]!r}; expected country and optional subdivision")]
    country = str(spec.get("country", "")).upper()
    supported = holidays.list_supported_countries()
    if country not in supported:
        return None, [(("country",) if "country" in spec else (),
                       f"unknown country {spec.get('country')!r}; expected an ISO code such as GB, US, ES, IE")]
    subdivision = spec.get("subdivision")
    if subdivision is not None:
        subdivision = str(subdivision).upper()
        if subdivision not in supported[country]:
            choices = ", ".join(supported[country][:12]) + (" ..." if len(supported[country]) > 12 else "")
            return None, [(("subdivision",), f"{country} has no subdivision {spec['subdivision']!r}; expected one of {choices}")]
    return Calendar(country, subdivision), []


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


def _span(text: Any) -> Span | None:
    match = _RANGE.match(str(text))
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        return None
    start = dt.time(h1, m1)
    end = dt.time.max if h2 == 24 else dt.time(h2, m2)
    # Equal times would be open zero or twenty-four hours: say which, with 00:00-24:00.
    return (start, end) if start != end else None
