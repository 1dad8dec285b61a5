"""A real `bot serve` process on a free port, for tests that need uvicorn's workers and logging as deployed."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx2

from tests.conftest import FLOWS, TOKEN

BOT = Path(sys.executable).with_name("bot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def bot_serve(database_url: str, workdir: Path, *, workers: int = 1, **env: str):
    """Yields (base_url, log_path); the server checks signatures against TOKEN with PUBLIC_BASE_URL = base_url."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / f"serve-{port}.log"
    environment = {**os.environ, "DATABASE_URL": database_url, "FLOWS_DIR": str(FLOWS), "TWILIO_AUTH_TOKEN": TOKEN,
                   "PUBLIC_BASE_URL": base, "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{port}"), **env}
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(BOT), "serve", "--port", str(port), "--workers", str(workers)],
                                   cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"bot serve did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
