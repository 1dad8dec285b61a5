"""Full verification calls through the store (no HTTP): turns per second with 1 and 4 threads at once,
each thread its own calls, every call verified and handed over, on SQLite (and on PostgreSQL when a
URL is given). It shows what serialising writing transactions (BEGIN IMMEDIATE on SQLite, the
per-number advisory lock on PostgreSQL) costs when calls run side by side.

Run: .venv/bin/python benchmarks/verification_turns.py [DATABASE_URL]
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.customers.importer import import_customers  # noqa: E402
from bot.dialogue import Dialogue  # noqa: E402
from bot.engine.bundle import load_bundle  # noqa: E402
from bot.store.db import get_engine, transaction  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.turns import Conversations  # noqa: E402
from webhooks.renderers import renderer_for  # noqa: E402

CALLS_PER_THREAD = 100
ANSWERS = ["1023456781#", "03031985", "SW1A 1AA", "1"]


def _keys() -> None:
    try:  # the data keys conversations are sealed with, where this version has them
        from bot import keys
    except ImportError:
        return
    keys.install(keys.Keyring.generate())


def calls(conversations: Conversations, count: int, errors: list) -> None:
    for _ in range(count):
        try:
            dialogue = Dialogue(conversations, channel="voice", renderers=renderer_for, caller="+447700900123")
            dialogue.start()
            for answer in ANSWERS:
                dialogue.send(answer)
            assert dialogue.ended, "the call did not reach a department"
        except Exception as exc:  # pragma: no cover - reported
            errors.append(exc)


def run(url: str) -> None:
    _keys()
    upgrade(url)
    bundle = load_bundle(ROOT / "flows")
    with transaction(url) as session:
        import_customers(session, ROOT / "data" / "demo_customers.csv", schemes=bundle.schemes, region="GB")
    conversations = Conversations(url, bundle)
    calls(conversations, 5, [])  # warm up
    for threads in (1, 4):
        errors: list = []
        workers = [threading.Thread(target=calls, args=(conversations, CALLS_PER_THREAD, errors))
                   for _ in range(threads)]
        started, cpu = time.perf_counter(), time.process_time()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        turns = threads * CALLS_PER_THREAD * (len(ANSWERS) + 1)
        # CPU per turn (this process; not the database server's) hardly depends on what else the machine does.
        print(f"{threads} thread(s): {turns} turns in {elapsed:.2f} s = {turns / elapsed:,.0f} turns/s, "
              f"{cpu * 1000 / turns:.2f} ms of CPU per turn, "
              f"{len(errors)} errors{': ' + repr(errors[0]) if errors else ''}", flush=True)
    get_engine(url).dispose()


def main() -> None:
    if len(sys.argv) > 1:
        print(f"store: {sys.argv[1].split('@')[-1]}")
        run(sys.argv[1])
        return
    with tempfile.TemporaryDirectory() as folder:
        print("store: SQLite file in a temporary folder")
        run(f"sqlite:///{Path(folder) / 'bench.db'}")


if __name__ == "__main__":
    main()
