"""Run every benchmark in this folder, one after another, and print what each reports.

`make bench` (`make bench BENCH_ARGS=--quick` for a shorter run of the slow ones). The speed figures
quoted in issue notes come from these scripts, never from timed tests.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The error-detection analysis takes the longest; it runs last.
ORDER = ["understanding.py", "redaction.py", "numbering_issue.py", "numbering_issue_store.py", "import.py", "load.py",
         "numbering_analyze.py"]
# Scripts that take --quick (fewer rows, shorter runs).
QUICK = {"redaction.py", "import.py", "load.py"}


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("*.py")
                      if p.name not in ORDER and p.name != Path(__file__).name and not p.name.startswith("_"))
    failed = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        extra = ["--quick"] if quick and script.name in QUICK else []
        failed += subprocess.call([sys.executable, str(script), *extra], cwd=HERE.parent) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
