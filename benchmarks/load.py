"""Many calls at once: full, signed verification calls against real `bot serve` processes, side by side
with the same requests against a bare FastAPI app answering fixed TwiML on the same uvicorn.

Each call is what Twilio sends for a demo customer: the call starts, the caller keys the number, keys
the date of birth, says the postcode, presses 1 for billing, and is queued (verified); then the
status callback. The client signs every request with the server's TWILIO_AUTH_TOKEN, follows the
<Gather action> URLs from the TwiML it gets back, and checks the last answer is a verified handoff.
It speaks HTTP/1.1 from one asyncio loop, one keep-alive connection per call (so that with several
workers the calls spread over them, as calls arriving over time do).

Two measures, per database (SQLite, PostgreSQL) and per number of workers (1, 2):
  saturated   32 callers, no pauses: webhook requests answered per second ("turns/s"), and the ratio
              to the bare app's (the share of the stack's capacity the service leaves)
  paced       1,000 callers pausing 2.5-3.5 s between turns, as people do, their calls starting at
              independent moments (spread over a call's length): p50 and p99 of the time
              a caller waits after each answer, and errors (not 200, wrong TwiML, over 15 s)

Also printed: the server's processor time per request while saturated (its processes' user + system
time from /proc, divided by the requests answered), which hardly depends on what else runs.

The server is pinned to core 0 and the client to core 1 (taskset); with 2 workers the server is
pinned to both cores, so it shares core 1 with the client. A local PostgreSQL's processes are moved to
the client's core for the run (and back after it), so that the server's core is the server's alone, as
it would be with the database on its own host; left where they are, they took a varying share of the
server's core (PostgreSQL's paced p99 read 249 ms unpinned and 80 ms pinned in two runs minutes apart).

Run: .venv/bin/python benchmarks/load.py [--quick] [--sqlite-only]
PostgreSQL: BENCH_POSTGRES_URL or TEST_POSTGRES_URL (a database is created for each run and dropped).
"""
from __future__ import annotations

import asyncio
import gc
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _setup import data_key, postgres_available, prepare_database  # noqa: E402

TOKEN = "bench-auth-token-0123456789abcdef"
# Handoffs go through TaskRouter, so the last answer carries the <Task> whose attributes say "verified".
WORKFLOW_SID = "WW" + "0" * 32
BIN = Path(sys.executable).parent
SERVER_CORES, CLIENT_CORE = "0", 1
TWILIO_BUDGET_SECONDS = 15.0
# Targets the turn-pipeline work must reach (issue 11); reported against, not enforced.
TARGET_RATIO, TARGET_P99_MS, TARGET_SCALING = 0.3, 50.0, 1.7


@dataclass(frozen=True)
class Customer:
    number: str
    date_keys: str  # DDMMYYYY, as the flow asks
    postcode: str


def demo_customers() -> list[Customer]:
    from bot.demo import demo_customers as rows

    found = []
    for row in rows(limit=10):
        year, month, day = row["date_of_birth"].split("-")
        found.append(Customer(row["customer_number"], f"{day}{month}{year}", row["postcode"]))
    return found


# -- a minimal HTTP/1.1 keep-alive client --------------------------------------------------------------
class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, signature: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"X-Twilio-Signature: {signature}\r\n\r\n".encode("latin-1") + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            return status, await self.reader.readexactly(length) if length else b""
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    measuring: bool = False
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)
    server_cpu: float | None = None  # seconds of the server's processor time in the measured window

    def record(self, seconds: float) -> None:
        if self.measuring:
            self.requests += 1
            self.latencies.append(seconds)

    def error(self, kind: str) -> None:
        if self.measuring:
            self.errors += 1
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


# A call's pauses: before each of its four answers and before the status callback (Caller.call).
PAUSES_PER_CALL = 5


class CallError(Exception):
    pass


class Caller:
    """One phone line: calls one after another, as Twilio would post them."""

    def __init__(self, base: str, port: int, customers: list[Customer], *, real: bool, rng: random.Random):
        self.base, self.real, self.rng = base, real, rng
        self.connection = Connection("127.0.0.1", port)
        self.customers = customers
        self.validator = RequestValidator(TOKEN)

    async def request(self, tally: Tally, path: str, params: dict) -> bytes:
        body = urlencode(params).encode()
        signature = self.validator.compute_signature(self.base + path, params)
        started = time.perf_counter()
        try:
            status, text = await asyncio.wait_for(self.connection.post(path, body, signature), TWILIO_BUDGET_SECONDS)
        except asyncio.TimeoutError:
            self.connection.close()
            raise CallError("over 15 s") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            raise CallError(f"connection: {exc.__class__.__name__}") from None
        if status not in (200, 204):
            raise CallError(f"HTTP {status}")
        tally.record(time.perf_counter() - started)
        return text

    async def call(self, tally: Tally, pause: tuple[float, float] | None) -> None:
        customer = self.rng.choice(self.customers)
        caller = f"+4477009{self.rng.randint(0, 99999):05d}"
        base = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": caller,
                "To": "+442071230000", "Caller": caller, "Called": "+442071230000", "CallStatus": "in-progress",
                "Direction": "inbound", "ApiVersion": "2010-04-01"}
        answers = [{"Digits": customer.number, "FinishedOnKey": "#"},
                   {"Digits": customer.date_keys, "FinishedOnKey": ""},
                   {"SpeechResult": customer.postcode, "Confidence": "0.92"},
                   {"Digits": "1", "FinishedOnKey": ""}]
        path = "/twilio/voice"
        text = await self.request(tally, path, {**base, "CallStatus": "ringing"})
        for answer in answers:
            # A greeting may hold an offer's Gather (another language) before the question's: answer the question.
            gathers = ET.fromstring(text).findall("Gather")
            if not gathers:
                raise CallError("no <Gather> to answer")
            gather = gathers[-1]
            path = gather.get("action")
            if pause:
                await asyncio.sleep(self.rng.uniform(*pause))
            text = await self.request(tally, path, {**base, **answer})
        if self.real:
            task = ET.fromstring(text).find("Enqueue/Task")
            if task is None or '"verified": true' not in task.text:
                raise CallError("not a verified handoff: " + text.decode()[:600])
        if pause:
            await asyncio.sleep(self.rng.uniform(*pause))
        await self.request(tally, "/twilio/voice/status", {**base, "CallStatus": "completed", "CallDuration": "30"})
        # A call's webhooks share a keep-alive connection; the next call opens its own. Connections opened
        # all at once would all be accepted by whichever worker woke first.
        self.connection.close()

    async def run(self, tally: Tally, until: float, pause: tuple[float, float] | None, start_within: float) -> None:
        if start_within:
            await asyncio.sleep(self.rng.uniform(0, start_within))
        while time.perf_counter() < until:
            try:
                await self.call(tally, pause)
            except CallError as exc:
                tally.error(str(exc))
                if pause:
                    await asyncio.sleep(self.rng.uniform(*pause))
        self.connection.close()


async def drive(base: str, port: int, *, real: bool, callers: int, seconds: float, warmup: float,
                pause: tuple[float, float] | None, server_cpu=None) -> Tally:
    """`server_cpu`: a function giving the server's processor time so far (Server.cpu_seconds)."""
    tally = Tally()
    rng = random.Random(7)
    customers = demo_customers()
    start = time.perf_counter()
    lines = [Caller(base, port, customers, real=real, rng=random.Random(rng.random())) for _ in range(callers)]
    # The client's own full collections (40-110 ms with 1,000 callers, timed with gc.callbacks) would stall every call in flight
    # and count as the server's silence: what exists now is frozen, as `bot serve` freezes its own (bot.heap).
    gc.collect()
    gc.freeze()
    # Paced callers start at random moments over one whole call's length (its pauses), so that calls
    # begin and end at independent times, as calls from different people do. Started within a single
    # pause, they stayed in step: every call's last request and the next call's first came together,
    # and every ~16 s the rate doubled for a few seconds (550-644 requests/s at the peaks against ~385 on average,
    # counted per second in the server), which is a benchmark's artefact, not a contact centre's day.
    # The warm-up lasts as long, so that the measured window has every caller on the line.
    start_within = PAUSES_PER_CALL * pause[1] if pause else 0
    warmup = max(warmup, start_within)
    until = start + warmup + seconds
    tasks = [asyncio.create_task(line.run(tally, until, pause, start_within=start_within)) for line in lines]
    await asyncio.sleep(warmup)
    tally.measuring = True
    measured_from = time.perf_counter()
    cpu_from = server_cpu() if server_cpu else None
    await asyncio.sleep(max(0.0, until - time.perf_counter()))
    tally.measuring = False
    elapsed = time.perf_counter() - measured_from
    if server_cpu:
        tally.server_cpu = server_cpu() - cpu_from
    # Calls in progress finish their current request; what lands after the window is not counted.
    await asyncio.wait(tasks, timeout=TWILIO_BUDGET_SECONDS + 5)
    for task in tasks:
        task.cancel()
    tally.elapsed = elapsed  # type: ignore[attr-defined]
    return tally


# -- servers -------------------------------------------------------------------------------------------
class DatabaseOnClientCore:
    """A local PostgreSQL's processes (the postmaster and its backends, found by name in /proc) on the
    client's core while the benchmark runs, their own affinity back afterwards. Backends started
    meanwhile inherit the postmaster's. Needs the right to set their affinity (root, or PostgreSQL's
    own user); without it they stay where they are, and the run says so."""

    def __init__(self, core: int):
        self.core, self.saved, self.refused = core, {}, 0

    @staticmethod
    def _pids() -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/comm") as comm:
                        if comm.read().strip() in ("postgres", "postmaster"):
                            pids.append(int(entry))
                except OSError:
                    continue
        return pids

    def __enter__(self) -> "DatabaseOnClientCore":
        for pid in self._pids():
            try:
                before = os.sched_getaffinity(pid)
                os.sched_setaffinity(pid, {self.core})
                self.saved[pid] = before
            except PermissionError:
                self.refused += 1
            except ProcessLookupError:
                continue
        return self

    def describe(self) -> str:
        if not self.saved:
            return "PostgreSQL unpinned (no local PostgreSQL process found, or no right to move it)"
        return (f"PostgreSQL's {len(self.saved)} local processes on core {self.core}"
                + (f" ({self.refused} could not be moved)" if self.refused else ""))

    def __exit__(self, *exc) -> None:
        for pid, cores in self.saved.items():
            try:
                os.sched_setaffinity(pid, cores)
            except (PermissionError, ProcessLookupError):
                continue


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, kind: str, workers: int, database_url: str | None, folder: Path):
        self.kind, self.workers, self.database_url, self.folder = kind, workers, database_url, folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cores = SERVER_CORES if workers == 1 else "0,1"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": self.base,
               "FLOWS_DIR": str(ROOT / "flows"), "TWILIO_WORKFLOW_SID": WORKFLOW_SID, "PROMETHEUS_MULTIPROC_DIR": str(self.folder / f"metrics-{self.port}")}
        if self.kind == "bare":
            # Served the way `bot serve` serves: the same uvicorn, the same worker set-up.
            env["PYTHONPATH"] = str(ROOT / "benchmarks")
            serve = ("import sys, uvicorn; from bot.cli.uvicorn_workers import run_workers; w = int(sys.argv[2]); "
                     "uvicorn.run('_bare_app:app', host='127.0.0.1', port=int(sys.argv[1]), log_config=None) if w == 1 "
                     "else run_workers('_bare_app:app', workers=w, host='127.0.0.1', port=int(sys.argv[1]))")
            command = [str(BIN / "python"), "-c", serve, str(self.port), str(self.workers)]
        else:
            env["DATABASE_URL"] = self.database_url
            command = [str(BIN / "bot"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                       "--workers", str(self.workers)]
        self.log = (self.folder / f"{self.kind}-{self.workers}-{self.port}.log").open("wb")
        self.process = subprocess.Popen(["taskset", "-c", self.cores, *command], env=env, cwd=self.folder,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.kind} server did not start; see {self.log.name}")
            time.sleep(0.2)
        return self

    def cpu_seconds(self) -> float:
        """Processor time (user + system) of the server's processes so far: its own session's (workers too)."""
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.process.pid:  # the session id: start_new_session made the server its leader
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def _healthy(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                return sock.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# -- the run -------------------------------------------------------------------------------------------
@dataclass
class Result:
    label: str
    workers: int
    saturated: float | None = None  # requests/s
    saturated_p99: float | None = None
    saturated_errors: int = 0
    paced: float | None = None
    p50: float | None = None
    p99: float | None = None
    paced_errors: int = 0
    note: str = ""
    cpu_ms: float | None = None  # the server's processor time per request, saturated


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(server: Server, *, real: bool, quick: bool) -> Result:
    saturated_seconds, paced_seconds = (6, 15) if quick else (20, 40)
    result = Result(server.kind, server.workers)
    saturated = asyncio.run(drive(server.base, server.port, real=real, callers=32, seconds=saturated_seconds,
                                  warmup=2, pause=None, server_cpu=server.cpu_seconds))
    result.saturated = saturated.requests / saturated.elapsed
    if saturated.server_cpu is not None and saturated.requests:
        result.cpu_ms = 1000 * saturated.server_cpu / saturated.requests
    result.saturated_p99 = percentile(saturated.latencies, 0.99)
    result.saturated_errors = saturated.errors
    paced = asyncio.run(drive(server.base, server.port, real=real, callers=1000, seconds=paced_seconds, warmup=5,
                              pause=(2.5, 3.5)))
    result.paced = paced.requests / paced.elapsed
    result.p50, result.p99 = percentile(paced.latencies, 0.50), percentile(paced.latencies, 0.99)
    result.paced_errors = paced.errors
    kinds = {**saturated.error_kinds, **paced.error_kinds}
    if kinds:
        result.note = "errors: " + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items()))
    return result


def ms(value: float | None) -> str:
    return f"{value * 1000:8.1f}" if value is not None else "       -"


def print_table(results: list[Result]) -> None:
    bare = {r.workers: r for r in results if r.label == "bare"}
    one = {r.label: r for r in results if r.workers == 1}
    print()
    print(f"{'':<24}{'saturated (32 callers, no pauses)':<44}{'1,000 callers pausing 2.5-3.5 s':<40}")
    print(f"{'app':<14}{'workers':>8}  {'turns/s':>8} {'ratio':>6} {'p99 ms':>8} {'errors':>6}"
          f"        {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        if r.saturated is None:
            print(f"{r.label:<14}{r.workers:>8}  {r.note}")
            continue
        ratio = r.saturated / bare[r.workers].saturated if r.label != "bare" and r.workers in bare else None
        print(f"{r.label:<14}{r.workers:>8}  {r.saturated:8.0f} {ratio if ratio is not None else 0:6.2f} "
              f"{ms(r.saturated_p99)} {r.saturated_errors:>6}        {r.paced:8.0f} {ms(r.p50)} {ms(r.p99)} "
              f"{r.paced_errors:>6}" .replace("  0.00 ", "     - ") + (f"   {r.note}" if r.note else ""))
    print()
    # The server's own processor time per request (its processes, from /proc; not the client's nor
    # PostgreSQL's): unlike turns/s it hardly depends on what else the machine is doing.
    print("Server CPU per request, saturated: " + ", ".join(
        f"{r.label} {r.workers}w {r.cpu_ms:.2f} ms" for r in results if r.cpu_ms is not None))
    print()
    print("Targets (after the turn-pipeline work):")
    for r in results:
        if r.label == "bare" or r.saturated is None:
            continue
        ratio = r.saturated / bare[r.workers].saturated
        if r.workers == 1:
            print(f"  {r.label}, 1 worker: saturated ratio {ratio:.2f} (target >= {TARGET_RATIO}: "
                  f"{'met' if ratio >= TARGET_RATIO else 'not met'}); 1,000 paced callers p99 {ms(r.p99).strip()} ms, "
                  f"{r.paced_errors} errors (target < {TARGET_P99_MS:.0f} ms, 0 errors: "
                  f"{'met' if r.p99 is not None and r.p99 * 1000 < TARGET_P99_MS and r.paced_errors == 0 else 'not met'})")
        elif r.label in one and one[r.label].saturated:
            scaling = r.saturated / one[r.label].saturated
            print(f"  {r.label}, 2 workers: {scaling:.2f}x one worker (target >= {TARGET_SCALING}x: "
                  f"{'met' if scaling >= TARGET_SCALING else 'not met'})")


def main() -> int:
    quick = "--quick" in sys.argv
    kinds = ["sqlite"] + ([] if "--sqlite-only" in sys.argv or not postgres_available() else ["postgresql"])
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        print("load.py needs taskset and 2 cores (server on one, client on the other)")
        return 1
    data_key()  # before any server starts: they read it from the environment
    os.sched_setaffinity(0, {CLIENT_CORE})
    if "postgresql" not in kinds:
        return _run(kinds, quick, None)
    with DatabaseOnClientCore(CLIENT_CORE) as database:
        return _run(kinds, quick, database)


def _run(kinds: list[str], quick: bool, database: DatabaseOnClientCore | None) -> int:
    print(f"load: server pinned to core {SERVER_CORES} (2 workers: cores 0 and 1, shared with the client), "
          f"client on core {CLIENT_CORE}; " + (database.describe() if database is not None else "no PostgreSQL"))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for workers in (1, 2):
            with Server("bare", workers, None, folder) as server:
                results.append(measure(server, real=False, quick=quick))
            print(f"  bare FastAPI, {workers} worker(s): done", flush=True)
            for kind in kinds:
                if kind == "sqlite" and workers > 1:
                    results.append(Result(kind, workers, note="refused: SQLite serves one process (bot serve exits 2)"))
                    continue
                url, drop = prepare_database(kind, folder)
                try:
                    with Server(kind, workers, url, folder) as server:
                        results.append(measure(server, real=True, quick=quick))
                finally:
                    drop()
                print(f"  {kind}, {workers} worker(s): done", flush=True)
    print_table(results)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
