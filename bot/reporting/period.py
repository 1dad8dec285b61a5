"""The stretch of time (and the channel) a report covers: what `--since/--until/--channel` and the
console's date range and presets mean, in one place.

A conversation belongs to the period in which it started (UTC), so its whole story is counted
once, however long it lasted. `until` is exclusive; a bare date given as `until` includes that day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CHANNELS = ("voice", "sms", "whatsapp", "web")
PRESETS = {"today": 1, "7d": 7, "30d": 30}
UTC = dt.timezone.utc


@dataclass(frozen=True)
class Period:
    since: dt.datetime
    until: dt.datetime
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {self.channel!r}")
        if self.until <= self.since:
            raise ValueError("the end of the period must come after its start")

    @property
    def days(self) -> list[dt.date]:
        """Every UTC day the period touches, in order (a chart has a bar for each, even an empty one)."""
        first, last = self.since.date(), (self.until - dt.timedelta(microseconds=1)).date()
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    def describe(self) -> str:
        last = (self.until - dt.timedelta(microseconds=1))
        span = (f"{self.since:%Y-%m-%d}" if self.since.date() == last.date()
                else f"{self.since:%Y-%m-%d} to {last:%Y-%m-%d}")
        whole_days = self.since.time() == dt.time(0) and self.until.time() == dt.time(0)
        if not whole_days:
            span = f"{self.since:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M}"
        return f"{span} (UTC), {'all channels' if self.channel is None else self.channel}"


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def preset(name: str, *, now: dt.datetime, channel: str | None = None) -> Period:
    """today, 7d or 30d: whole UTC days ending with today."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, not {name!r}")
    today = aware(now).astimezone(UTC).date()
    first = today - dt.timedelta(days=PRESETS[name] - 1)
    return Period(_midnight(first), _midnight(today + dt.timedelta(days=1)), channel)


def between(since: dt.date | dt.datetime | None, until: dt.date | dt.datetime | None, *, now: dt.datetime,
            channel: str | None = None, default_days: int = 7) -> Period:
    """From the command line or a form: dates mean whole UTC days (until includes its day), times are exact."""
    if since is None:
        start = _midnight(aware(now).astimezone(UTC).date() - dt.timedelta(days=default_days - 1))
    else:
        start = since_bound(since)
    end = until_bound(until) if until is not None else _midnight(aware(now).astimezone(UTC).date() + dt.timedelta(days=1))
    return Period(start, end, channel)


def since_bound(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return aware(value)
    return _midnight(value)


def until_bound(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return _midnight(value.date() + dt.timedelta(days=1))  # a bare date read as midnight: include that day
        return aware(value)
    return _midnight(value + dt.timedelta(days=1))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=UTC)
