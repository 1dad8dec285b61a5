"""Real `bot serve` processes on free ports, for tests that need uvicorn's workers and logging as
deployed, or several processes sharing one database as several hosts behind a load balancer do."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from tests.conftest import FLOWS, TOKEN

BOT = Path(sys.executable).with_name("bot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    base: str  # where this process listens, e.g. http://127.0.0.1:41234
    log: Path
    process: subprocess.Popen

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(database_url: str, workdir: Path, *, workers: int = 1, **env: str) -> Served:
    """Start `bot serve` (not waiting for it). It checks signatures against TOKEN with PUBLIC_BASE_URL
    its own address, unless `env` names another (a load balancer's)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / f"serve-{port}.log"
    environment = {**os.environ, "DATABASE_URL": database_url, "FLOWS_DIR": str(FLOWS), "TWILIO_AUTH_TOKEN": TOKEN,
                   "PUBLIC_BASE_URL": base, "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{port}"), **env}
    with log_path.open("wb") as log:
        # A session of its own, so stopping it stops its workers too.
        process = subprocess.Popen([str(BOT), "serve", "--port", str(port), "--workers", str(workers)],
                                   cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return Served(base, log_path, process)


def wait_ready(served: Served, *, timeout: float = 60) -> None:
    """Until /readyz says ready (the database answers, the live flow version is loaded), as a load
    balancer waits before sending it calls; fails with the server's output if it exits or never is."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx2.get(served.base + "/readyz", timeout=5).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        if served.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"bot serve at {served.base} did not become ready:\n{served.output()}")
        time.sleep(0.1)


def stop(served: Served) -> None:
    if served.process.poll() is None:
        os.killpg(served.process.pid, signal.SIGTERM)
    try:
        served.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait()


@contextmanager
def bot_serves(database_url: str, workdir: Path, count: int, *, workers: int = 1, **env: str):
    """`count` processes started at the same moment on one database, each ready before this yields
    them; all stopped (with their workers) on the way out, whatever happened."""
    with ExitStack() as stack:
        processes = []
        for _ in range(count):
            served = start(database_url, workdir, workers=workers, **env)
            stack.callback(stop, served)
            processes.append(served)
        for served in processes:
            wait_ready(served)
        yield processes


@contextmanager
def bot_serve(database_url: str, workdir: Path, *, workers: int = 1, **env: str):
    """Yields (base_url, log_path) of one ready process."""
    with bot_serves(database_url, workdir, 1, workers=workers, **env) as (served,):
        yield served.base, served.log
