"""`bot customers import` at scale: rows/s and peak memory (RSS high-water mark) for 100,000 and
1,000,000 rows, on SQLite and on PostgreSQL: a first import (all new), the same file again (all
unchanged: nothing is written) and a file where every row has changed (all updates); and the rate of
rows that carry a PIN (scrypt, slow by design).

"CPU us/row" is the processor time the import and its workers spent per row (PostgreSQL's own is not
in it): unlike rows/s it hardly depends on what else the machine is doing; N idle cores clean about
N / (CPU per row) rows a second.

Each import runs the real command in a process of its own; peak memory is each process's high-water
mark (VmHWM): "main" is the `bot` process, "worker" the largest process cleaning rows for it ("0":
the file was small enough to clean in the main process).

Run: .venv/bin/python benchmarks/import.py [--quick] [--rows=N] [--database=sqlite|postgresql]
(--quick: 20,000 rows, 200 PINs; --rows: one size, no PIN run; --database: one database)
PostgreSQL: BENCH_POSTGRES_URL or TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
a database is created for the run and dropped after it.
"""
from __future__ import annotations

import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import phonenumbers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.numbering import generate_many, load_schemes  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import POSTGRES_URL, data_key, empty_database, postgres_available  # noqa: E402

TARGET_ROWS_PER_SECOND = 20_000

FIRST = ["Alice", "Robert", "Carol", "David", "Emma", "Oliver", "Amelia", "George", "Isla", "Harry", "Mia", "Jack",
         "Sofia", "Noah", "Grace", "Leo", "Lily", "Arthur", "Freya", "Oscar", "María", "José", "Zoë", "Siobhán"]
LAST = ["Walker", "Jones", "Smith", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
        "Thompson", "Evans", "O'Brien", "García", "Nguyen", "Khan", "Murphy", "Roberts", "Lewis"]
DOMAINS = ["gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.co.uk", "icloud.com", "btinternet.com",
           "example.org", "sky.com", "virginmedia.com", "aol.com"]
AREAS = ["SW1A", "EC1A", "W1A", "M1", "M60", "B33", "CR2", "DN55", "EH1", "G1", "L1", "LS1", "BS1", "NE1", "CF10"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SEGMENTS = ["personal", "business", "insurance", "premier"]


def ascii_name(name: str) -> str:
    """As mail providers spell names in addresses: José -> jose, O'Brien -> obrien."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def write_csv(path: Path, rows: int, *, pins: bool = False, seed: int = 0) -> None:
    """Valid, varied rows in the shapes a real export has (national and international phones, mixed case)."""
    rng = random.Random(seed)
    schemes = load_schemes(ROOT / "flows" / "numbering.yaml")
    scheme = schemes.default
    prefixes = sorted(scheme.prefixes)
    numbers = []
    for index, prefix in enumerate(prefixes):
        share = rows // len(prefixes) + (1 if index < rows % len(prefixes) else 0)
        numbers += generate_many(scheme, prefix, share, rng)
    rng.shuffle(numbers)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_number", "full_name", "date_of_birth", "postcode", "phone", "email", "segment",
                      "status"] + (["pin"] if pins else []))
        for number in numbers:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            mobile = f"7{rng.choice('45789')}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}"  # not 76: pagers
            while not phonenumbers.is_valid_number(phonenumbers.parse("0" + mobile, "GB")):
                mobile = f"7{rng.choice('45789')}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}"
            phone = f"0{mobile[:4]} {mobile[4:]}" if rng.random() < 0.6 else f"+44 {mobile[:4]} {mobile[4:]}"
            postcode = f"{rng.choice(AREAS)} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
            row = [number, f"{first} {last}",
                   f"{rng.randint(1930, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                   postcode if rng.random() < 0.8 else postcode.replace(" ", "").lower(),
                   phone if rng.random() < 0.9 else "",
                   f"{ascii_name(first)}.{ascii_name(last)}{rng.randint(1, 9999)}@{rng.choice(DOMAINS)}"
                   if rng.random() < 0.85 else "",
                   rng.choice(SEGMENTS), "active" if rng.random() < 0.97 else "suspended"]
            if pins:
                row.append(f"{rng.randint(0, 99999999):08d}"[: rng.randint(4, 8)])
            out.writerow(row)


def write_changed(path: Path, out_path: Path) -> None:
    """The same customers, each with a new segment: every row is an update (a file imported twice
    unchanged writes nothing)."""
    with path.open(newline="", encoding="utf-8") as source, out_path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.reader(source)
        writer = csv.writer(out)
        header = next(rows)
        writer.writerow(header)
        at = header.index("segment")
        for row in rows:
            row[at] = SEGMENTS[(SEGMENTS.index(row[at]) + 1) % len(SEGMENTS)]
            writer.writerow(row)


# The child: the real `bot customers import`; the time it took, as JSON on the last line.
CHILD = """
import json, sys, time
from bot.cli import app
started = time.perf_counter()
try:
    # Not standalone: click returns the exit code (a configuration error, rejected rows) instead of raising.
    code = app(["customers", "import", sys.argv[1]], standalone_mode=False) or 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"seconds": time.perf_counter() - started, "code": code}))
"""


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children") if Path(f"/proc/{parent}").exists() else []:
            try:
                children = [int(c) for c in task.read_text().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


def import_once(path: Path, url: str, flows: Path) -> dict:
    """Runs the import in a process of its own; peak memory is each process's VmHWM (read from /proc while
    it runs: a high-water mark of its own, unlike getrusage's, which a forked child inherits)."""
    # Production settings (the default) need a data key: the import seals PIN hashes and keys phone hashes.
    env = {**os.environ, "DATABASE_URL": url, "FLOWS_DIR": str(flows), "DATA_KEY": data_key()}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT)
    main_kb, worker_kb = 0, 0
    while process.poll() is None:
        main_kb = max(main_kb, _high_water_kb(process.pid))
        for child in _descendants(process.pid):
            worker_kb = max(worker_kb, _high_water_kb(child))
        time.sleep(0.1)
    out, err = process.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import and the workers it waited for
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    lines = out.strip().splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"import failed:\n{out}\n{err}")
    result = json.loads(lines[-1])
    if result["code"] not in (0, None):
        raise RuntimeError(f"import failed (exit {result['code']}):\n{err[-2000:]}")
    return {**result, "main_kb": main_kb, "worker_kb": worker_kb, "cpu": cpu}


def report(label: str, rows: int, result: dict) -> None:
    rate = rows / result["seconds"]
    verdict = "meets" if rate >= TARGET_ROWS_PER_SECOND else "below"
    print(f"  {label:<40} {rows:>9,} rows {result['seconds']:6.1f} s {rate:>7,.0f} rows/s ({verdict} {TARGET_ROWS_PER_SECOND:,}); "
          f"CPU {result['cpu'] / rows * 1e6:4.0f} us/row; peak RSS main {result['main_kb'] / 1024:4.0f} MB, "
          f"worker {result['worker_kb'] / 1024:3.0f} MB", flush=True)


def main() -> int:
    quick = "--quick" in sys.argv
    sizes = [20_000] if quick else [100_000, 1_000_000]
    pin_rows = 200 if quick else 2_000
    kinds = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    for arg in sys.argv[1:]:  # --rows=N: that size only, no PIN run; --database=sqlite|postgresql: that one only
        if arg.startswith("--rows="):
            sizes, pin_rows = [int(arg.split("=", 1)[1])], 0
        elif arg.startswith("--database="):
            kinds = [kind for kind in kinds if kind == arg.split("=", 1)[1]]
    print(f"cores: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if "postgresql" not in kinds:
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: SQLite only")
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for rows in sizes:
            path = folder / f"customers-{rows}.csv"
            started = time.perf_counter()
            write_csv(path, rows)
            print(f"{rows:,} rows ({path.stat().st_size / 1e6:.0f} MB CSV, written in {time.perf_counter() - started:.0f} s):",
                  flush=True)
            changed = folder / f"changed-{rows}.csv"
            write_changed(path, changed)
            for kind in kinds:
                url, drop = empty_database(kind, folder, "import")
                try:
                    report(f"{kind}: first import (all new)", rows, import_once(path, url, ROOT / "flows"))
                    report(f"{kind}: same file again (unchanged)", rows, import_once(path, url, ROOT / "flows"))
                    report(f"{kind}: every row changed (updates)", rows, import_once(changed, url, ROOT / "flows"))
                finally:
                    drop()
            path.unlink()
            changed.unlink()
        if not pin_rows:
            return 0
        path = folder / "pins.csv"
        write_csv(path, pin_rows, pins=True, seed=1)
        print(f"{pin_rows:,} rows, each with a PIN (scrypt N=2^14, r=8: ~16 MB and tens of ms per hash, by design):")
        url, drop = empty_database("sqlite", folder, "import")
        try:
            report("sqlite: rows with PINs", pin_rows, import_once(path, url, ROOT / "flows"))
        finally:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
