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
import queue
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

from bot import deadline
from bot.deadline import TurnTimedOut

T = TypeVar("T")

__all__ = ["TurnTimedOut", "in_time"]

# As many threads as anyio's default pool (the one this work used before): turns on PostgreSQL run side
# by side, and a slow self-service look-up holds its thread.
THREADS = 40


class _Hop:
    """Threads that take work from a queue and hand each result straight to the awaiting asyncio future
    (call_soon_threadsafe). concurrent.futures' pool did the same through a second future chained to the
    first (run_in_executor: submit, wrap_future, a callback to copy the state across), which cost a
    tenth of a webhook's work on the event loop. Threads start as work arrives, up to THREADS, and stay;
    they are daemons, so a process exits without joining them (a turn cut off there commits nothing)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads = 0  # started
        self.waiting = 0  # threads waiting for work
        self.queued = 0  # work put in the queue and not yet taken

    def submit(self, loop: asyncio.AbstractEventLoop, work: Callable[[], T]) -> asyncio.Future:
        future = loop.create_future()
        with self.lock:
            self.queued += 1
            # A thread more when there is more work waiting than threads waiting for it, up to the limit.
            start = self.queued > self.waiting and self.threads < self.limit
            if start:
                name = f"turn_{self.threads}"
                self.threads += 1
        self.queue.put((loop, future, work))
        if start:
            threading.Thread(target=self._serve, name=name, daemon=True).start()
        return future

    def _serve(self) -> None:
        while True:
            with self.lock:
                self.waiting += 1
            loop, future, work = self.queue.get()
            with self.lock:
                self.waiting -= 1
                self.queued -= 1
            if future.cancelled():  # its deadline passed while it waited: it never starts
                continue
            try:
                value, failed = work(), False
            except BaseException as error:  # handed to the awaiting request, as the pool's future did
                value, failed = error, True
            self._settle(loop, future, value, failed=failed)
            del loop, future, work, value  # an idle thread keeps nothing of the last turn alive

    @staticmethod
    def _settle(loop, future, value, *, failed: bool) -> None:
        try:
            loop.call_soon_threadsafe(_set_failed if failed else _set_result, future, value)
        except RuntimeError:  # the loop has closed (shutdown, or a test's loop): nobody is waiting
            pass


def _set_result(future: asyncio.Future, value) -> None:
    if not future.done():  # cancelled meanwhile (its deadline): the result is dropped
        future.set_result(value)


def _set_failed(future: asyncio.Future, error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


_hop: tuple[int, _Hop] | None = None
_hop_lock = threading.Lock()


def _threads() -> _Hop:
    """The threads, made on first use in each process (a forked child has none of its parent's threads)."""
    global _hop
    hop = _hop
    if hop is None or hop[0] != os.getpid():
        with _hop_lock:
            if _hop is None or _hop[0] != os.getpid():
                _hop = (os.getpid(), _Hop(THREADS))
            hop = _hop
    return hop[1]


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
                return await _threads().submit(loop, work)
            async with writer:
                return await _threads().submit(loop, work)
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
