"""Benchmark the understanding layer on the transcript corpus (tests/corpus/*.yaml).

Prints, per kind and overall: the share read correctly, the share wrongly accepted (a
different value, not flagged for read-back, passing the scheme's check), and the mean cost
per utterance in microseconds. Run: .venv/bin/python benchmarks/understanding.py
(--corpus tests/corpus/heldout scores another folder, e.g. the held-out set).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "corpus"))

import evaluate  # noqa: E402  (tests/corpus/evaluate.py, shared with the acceptance test)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per utterance for timing")
    parser.add_argument("--failures", action="store_true", help="list the cases read wrongly")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder of corpus YAML files (default: tests/corpus)")
    args = parser.parse_args(argv)
    cases = evaluate.load(args.corpus) if args.corpus else evaluate.load()
    evaluate.score(cases)  # warm-up: lazy tables (nicknames, phone metadata) load once
    tallies = evaluate.score(cases, repeat=args.repeat)
    for line in evaluate.iter_report(tallies):
        print(line)
    overall = tallies["overall"]
    print(f"\n{overall.total} utterances; target: >= 97% correct, 0 wrongly accepted, "
          f"mean < 1000 us per utterance")
    if args.failures:
        for kind, tally in sorted(tallies.items()):
            for failure in tally.failures:
                print("FAIL", failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
