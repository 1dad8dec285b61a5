"""Where a turn's time goes: full signed verification calls (the calls benchmarks/load.py makes) driven
straight into the ASGI app in this process, under cProfile, one request at a time. Prints requests/s
(no HTTP server: the app's own cost per request), the SQL statements per request, and the functions
that take the most time, on the event loop and in the thread pool together.

Run: .venv/bin/python benchmarks/profile_turns.py [--postgres] [--calls N] [--top N] [--save PREFIX]
(--save: also write PREFIX.sqlite.prof / PREFIX.postgresql.prof for pstats or snakeviz)
The summary in docs/performance.md comes from this script.
"""
from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _setup import ROOT, data_key, postgres_available, prepare_database  # noqa: E402
from load import TOKEN, WORKFLOW_SID, Caller, Tally, demo_customers  # noqa: E402

BASE = "http://127.0.0.1:8000"


class AsgiConnection:
    """What load.Connection does over a socket, straight into the app: the same requests, no HTTP server."""

    def __init__(self, app):
        self.app = app

    async def post(self, path: str, body: bytes, signature: str) -> tuple[int, bytes]:
        route, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": route, "raw_path": route.encode(), "query_string": query.encode(),
                 "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
                 "headers": [(b"host", b"127.0.0.1:8000"),
                             (b"content-type", b"application/x-www-form-urlencoded"),
                             (b"content-length", str(len(body)).encode()),
                             (b"x-twilio-signature", signature.encode())]}
        done = asyncio.Event()
        sent = [{"type": "http.request", "body": body, "more_body": False}]
        status, chunks = 0, []

        async def receive():
            if sent:
                return sent.pop()
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    done.set()

        await self.app(scope, receive, send)
        return status, b"".join(chunks)

    def close(self) -> None:
        pass


class ThreadProfiles:
    """cProfile sees only the thread that enables it: each function handed to the thread pool runs under
    its thread's own profiler, and the lot is merged with the event loop's at the end."""

    def __init__(self):
        self.local = threading.local()
        self.all: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def wrap(self, func):
        def profiled(*args, **kwargs):
            profile = getattr(self.local, "profile", None)
            if profile is None:
                profile = self.local.profile = cProfile.Profile(time.thread_time)
                with self.lock:
                    self.all.append(profile)
            profile.enable()
            try:
                return func(*args, **kwargs)
            finally:
                profile.disable()
        return profiled

    def install(self) -> None:
        # webhooks.offload hands every piece of work to its thread as deadline.within(at, func, ...).
        from bot import deadline

        deadline.within = self.wrap(deadline.within)


def count_statements(url: str) -> Counter:
    from sqlalchemy import event

    from bot.store.db import get_engine

    counts: Counter = Counter()

    @event.listens_for(get_engine(url), "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        counts[statement.split(None, 1)[0].upper()] += 1

    return counts


async def calls(app, count: int, tally: Tally) -> None:
    rng = random.Random(11)
    customers = demo_customers()
    caller = Caller(BASE, 8000, customers, real=True, rng=rng)
    caller.connection = AsgiConnection(app)
    for _ in range(count):
        await caller.call(tally, None)


def run(kind: str, count: int, top: int, save: str | None = None) -> None:
    from bot.settings import Settings
    from webhooks.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        url, drop = prepare_database(kind, Path(folder))
        try:
            settings = Settings(_env_file=None, database_url=url, twilio_auth_token=TOKEN, public_base_url=BASE, twilio_workflow_sid=WORKFLOW_SID,
                                flows_dir=ROOT / "flows", data_key=data_key(), log_level="WARNING")
            app = create_app(settings)
            import logging
            logging.getLogger().setLevel("INFO")  # as served: the turn's own log line is written
            logging.getLogger().handlers[0].stream = open(os.devnull, "w")
            asyncio.run(calls(app, 20, Tally()))  # warm: bundles parsed, pools filled
            plain = Tally(measuring=True)
            started, cpu = time.perf_counter(), time.process_time()
            asyncio.run(calls(app, count, plain))
            plain_rate = plain.requests / (time.perf_counter() - started)
            cpu_ms = (time.process_time() - cpu) * 1000 / plain.requests
            statements = count_statements(url)
            threads = ThreadProfiles()
            threads.install()
            tally = Tally(measuring=True)
            loop_profile = cProfile.Profile(time.thread_time)
            started = time.perf_counter()
            loop_profile.enable()
            asyncio.run(calls(app, count, tally))
            loop_profile.disable()
            elapsed = time.perf_counter() - started
        finally:
            drop()
    requests = tally.requests
    print(f"== {kind}: {count} calls, {requests} requests, {tally.errors} errors; "
          f"{plain_rate:.0f} requests/s one at a time, straight into the app; "
          f"{cpu_ms:.2f} ms of CPU per request (this process, both threads; the database server's own not counted)")
    total = sum(statements.values())
    print(f"SQL statements per request: {total / requests:.2f} "
          f"({', '.join(f'{k} {v / requests:.2f}' for k, v in statements.most_common())})")
    stats = pstats.Stats(loop_profile)
    for profile in threads.all:
        stats.add(profile)
    if save:
        stats.dump_stats(f"{save}.{kind}.prof")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats.stream = out
        stats.strip_dirs().sort_stats(order).print_stats(top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        print(f"-- top {top} by {order} (per request: divide by {requests})")
        print("\n".join(lines[start:start + top + 1]))


def main() -> int:
    # Profiles count each thread's CPU time (time.thread_time), not the wall clock: waiting for the
    # database, or for a core other work on the machine holds, is not the code's cost.
    args = sys.argv[1:]
    count = int(args[args.index("--calls") + 1]) if "--calls" in args else 300
    top = int(args[args.index("--top") + 1]) if "--top" in args else 25
    kinds = ["postgresql"] if "--postgres" in args else ["sqlite"] + (["postgresql"] if postgres_available() else [])
    data_key()
    for kind in kinds:
        run(kind, count, top, args[args.index("--save") + 1] if "--save" in args else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
