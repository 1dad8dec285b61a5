"""Synchronous work (a turn, the database) off the event loop, inside the turn's deadline.

Every request that touches the database runs that work in the thread pool, so the loop keeps
answering other calls, /healthz and /metrics while it waits. `in_time` also bounds it: past
TURN_TIMEOUT_SECONDS it raises TurnTimedOut and the route answers its apology (voice: a colleague;
chat: a clear message), while the abandoned work finishes in its thread and commits nothing
(bot.deadline, bot.store.db.transaction).
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from fastapi import Request

from bot import deadline
from bot.deadline import TurnTimedOut

T = TypeVar("T")

__all__ = ["TurnTimedOut", "in_time"]


async def in_time(request: Request, func: Callable[..., T], *args, **kwargs) -> T:
    """`func(*args, **kwargs)` in the thread pool; TurnTimedOut once the request's deadline passes (one
    deadline per request, however many pieces of work it hands over: a web chat message has four)."""
    left = deadline.remaining()
    if left is None:
        # Set in this request's context, which the worker thread runs in a copy of: the turn sees it too.
        left = request.app.state.settings.turn_timeout_seconds
        deadline.start(left)
    if left <= 0:
        raise TurnTimedOut("the request's deadline has passed")
    work = anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs), abandon_on_cancel=True)
    try:
        return await asyncio.wait_for(work, left)
    except asyncio.TimeoutError:
        raise TurnTimedOut("no answer within TURN_TIMEOUT_SECONDS") from None
