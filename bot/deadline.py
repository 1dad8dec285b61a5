"""A turn's deadline: the moment by which the caller must have had an answer (TURN_TIMEOUT_SECONDS,
well inside Twilio's 15 seconds).

The webhook adapters run a request's work `within` its deadline in the thread pool, and answer with
their apology when it passes; the work, still running in its thread, sees the deadline and commits
nothing once it has passed (bot.store.db.transaction), so what the caller was told (sorry, a colleague
will help) stays true. The deadline is set only for that work: what runs after the reply (a handoff
posted to the agent desk, with retries) is not bound by it. Outside a webhook there is no deadline.
"""
from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TurnTimedOut(TimeoutError):
    """The turn could not finish inside its deadline."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("turn_deadline", default=None)


def within(at: float, func: Callable[..., T], *args, **kwargs) -> T:
    """`func(*args, **kwargs)`, which must be done by `at` (time.monotonic()); the deadline is gone after it."""
    token = _deadline.set(at)
    try:
        return func(*args, **kwargs)
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left, or None without a deadline."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def check() -> None:
    at = _deadline.get()
    if at is not None and time.monotonic() >= at:
        raise TurnTimedOut("the turn's deadline passed before it could be saved")
