"""A turn's deadline: the moment by which the caller must have had an answer (TURN_TIMEOUT_SECONDS,
well inside Twilio's 15 seconds).

The webhook adapters start it before handing a turn to the thread pool and answer with their apology
when it passes; the turn, still running in its thread, sees it (the context variable travels with it)
and commits nothing once it has passed (bot.store.db.transaction), so what the caller was told (sorry,
a colleague will help) stays true. Outside a webhook there is no deadline.
"""
from __future__ import annotations

import contextvars
import time


class TurnTimedOut(TimeoutError):
    """The turn could not finish inside its deadline."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("turn_deadline", default=None)


def start(seconds: float) -> None:
    """The turn run in this context (and the threads it hands work to) must be done within `seconds`."""
    _deadline.set(time.monotonic() + seconds)


def remaining() -> float | None:
    """Seconds left, or None without a deadline."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def check() -> None:
    at = _deadline.get()
    if at is not None and time.monotonic() >= at:
        raise TurnTimedOut("the turn's deadline passed before it could be saved")
