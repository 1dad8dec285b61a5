"""Synchronous work (a turn, the database) off the event loop, inside the turn's deadline.

Every request that touches the database runs that work in the thread pool, so the loop keeps
answering other calls, /healthz and /metrics while it waits. `in_time` also bounds it: past
TURN_TIMEOUT_SECONDS it raises TurnTimedOut and the route answers its apology (voice: a colleague;
chat: a clear message), while the abandoned work finishes in its thread and commits nothing
(bot.deadline, bot.store.db.transaction).
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from fastapi import Request

from bot import deadline
from bot.deadline import TurnTimedOut

T = TypeVar("T")

__all__ = ["TurnTimedOut", "in_time"]

# As many threads as anyio's default pool (the one this work used before): turns on PostgreSQL run side
# by side, and a slow self-service look-up holds its thread. A pool of our own is one hop from the event
# loop (run_in_executor), where anyio's run_sync, with its limiter and cancel scope, cost several times that.
THREADS = 40
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    """The pool, made on first use in each process (a forked child has none of its parent's threads)."""
    global _pool
    pool = _pool
    if pool is None or pool[0] != os.getpid():
        with _pool_lock:
            if _pool is None or _pool[0] != os.getpid():
                _pool = (os.getpid(), ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="turn"))
            pool = _pool
    return pool[1]


async def in_time(request: Request, func: Callable[..., T], *args, **kwargs) -> T:
    """`func(*args, **kwargs)` in the thread pool; TurnTimedOut once the request's deadline passes (one
    deadline per request, however many pieces of work it hands over: a web chat message has four)."""
    at = getattr(request.state, "deadline", None)
    if at is None:
        at = request.state.deadline = time.monotonic() + request.app.state.settings.turn_timeout_seconds
    left = at - time.monotonic()
    if left <= 0:
        raise TurnTimedOut("the request's deadline has passed")
    # The work runs in a copy of the request's context (its log bindings); the deadline is set in the
    # worker thread, for this work only: the turn sees it, and what runs after the reply (background
    # tasks, in the request's own context) does not.
    work = functools.partial(contextvars.copy_context().run, deadline.within, at, func, *args, **kwargs)
    loop = asyncio.get_running_loop()
    writer = _sqlite_writer(request)
    try:
        # Past the deadline the wait is cancelled (the lock's too) and the work, already running, is
        # abandoned: it finishes in its thread and commits nothing (bot.deadline).
        async with asyncio.timeout(left):
            if writer is None:
                return await loop.run_in_executor(_threads(), work)
            async with writer:
                return await loop.run_in_executor(_threads(), work)
    except TimeoutError:
        raise TurnTimedOut("no answer within TURN_TIMEOUT_SECONDS") from None


def _sqlite_writer(request: Request) -> asyncio.Lock | None:
    """SQLite has one writer at a time, and a turn writes. Turns queue here, on the event loop, and each
    goes to the thread pool when the one before it is done; left to SQLite, the threads that find its
    write lock taken sleep in its busy handler (1, 2, 5 ... up to 100 ms at a time) and wake late, and
    every waiting turn holds a thread. PostgreSQL runs turns side by side: None."""
    if not request.app.state.settings.database_url.startswith("sqlite"):
        return None
    loop = asyncio.get_running_loop()
    held = getattr(request.app.state, "sqlite_writer", None)
    if held is None or held[0] is not loop:  # a lock belongs to one event loop (a test client starts its own)
        held = request.app.state.sqlite_writer = (loop, asyncio.Lock())
    return held[1]
