"""The HTTP server's own cost: the bare app of benchmarks/load.py (no database, no signature) under uvicorn
with each HTTP parser (h11, httptools) and event loop (asyncio, uvloop), driven by load.py's client.
Prints requests/s and the server process's CPU per request (read from /proc: unlike requests/s it
hardly depends on what else the machine is doing). `bot serve` uses httptools and uvloop (uvicorn
picks them when they are installed; pyproject.toml installs them).

Run: .venv/bin/python benchmarks/server_stack.py
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import BIN, ROOT, drive, free_port  # noqa: E402


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(http: str, loop: str, seconds: float = 5) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "benchmarks")}
    code = (f"import uvicorn; uvicorn.run('_bare_app:app', host='127.0.0.1', port={port}, log_config=None, "
            f"http='{http}', loop='{loop}')")
    server = subprocess.Popen([str(BIN / "python"), "-c", code], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        asyncio.run(drive(base, port, real=False, callers=16, seconds=1, warmup=0.5, pause=None))  # warm
        before = cpu_seconds(server.pid)
        tally = asyncio.run(drive(base, port, real=False, callers=16, seconds=seconds, warmup=0, pause=None))
        used = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait()
    print(f"{http:10} {loop:8} {tally.requests / tally.elapsed:8.0f} requests/s  "
          f"{1000 * used / tally.requests:6.3f} ms of server CPU per request", flush=True)


def main() -> None:
    print(f"{'parser':10} {'loop':8} {'':>8}")
    for http, loop in (("h11", "asyncio"), ("httptools", "asyncio"), ("h11", "uvloop"), ("httptools", "uvloop")):
        measure(http, loop)


if __name__ == "__main__":
    main()
