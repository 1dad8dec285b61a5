"""Score the understanding layer on the transcript corpus in this folder.

Shared by tests/understanding/test_corpus.py (the acceptance bar) and
benchmarks/understanding.py (the report). Each YAML file holds `defaults`, optional
`synonyms` (for intents) and `entries`; see README.md beside this file.

"Wrongly accepted" is the failure that matters: a value that differs from the expected
one, which the reader did not flag (repaired / ambiguous) and which passes the scheme's
check, so the engine would act on it without reading it back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from stdnum import damm
from stdnum.iso7064 import mod_37_36

from bot import understanding as u

CORPUS = Path(__file__).parent

ACCEPTORS: dict[str | None, Callable[[str], bool] | None] = {
    None: None,
    "damm10": lambda s: len(s) == 10 and s[:2] in ("10", "20", "30") and damm.is_valid(s),
    "mod37_36": lambda s: len(s) == 10 and mod_37_36.is_valid(s),
}


@dataclass(frozen=True)
class Case:
    file: str
    kind: str
    input: str
    expected: Any
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.file}:{self.kind}:{self.input!r}"


@dataclass(frozen=True)
class Outcome:
    correct: bool
    wrongly_accepted: bool
    got: Any


def load(folder: Path = CORPUS) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = data.get("defaults", {})
        for entry in data["entries"]:
            merged = {**defaults, **entry}
            if "synonyms" in data:
                merged["synonyms"] = data["synonyms"]
            kind, text, expected = merged.pop("kind"), merged.pop("input"), merged.pop("expected")
            cases.append(Case(path.name, kind, text, expected, merged))
    return cases


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def _characters(case: Case) -> Outcome:
    accept = ACCEPTORS[case.options.get("accept")]
    r = u.read_characters(case.input, layout=case.options.get("layout"), accept=accept)
    flagged = r.repaired or r.ambiguous
    passes = r.value is not None and (accept is None or accept(r.value))
    wrong = r.value is not None and r.value != case.expected and not flagged and passes
    return Outcome(r.value == case.expected, wrong, r)


def _date(case: Case, r: u.DateReading) -> Outcome:
    expected = _as_date(case.expected)
    correct = r.value == expected
    if "error" in case.options:
        correct = correct and r.error == case.options["error"]
    if "ambiguous" in case.options:
        correct = correct and r.ambiguous == case.options["ambiguous"]
    wrong = r.value is not None and r.value != expected and not r.ambiguous
    return Outcome(correct, wrong, r)


def _value(got: Any, case: Case) -> Outcome:
    """Plain values: any returned value other than the expected one is a wrong acceptance."""
    return Outcome(got == case.expected, got is not None and got != case.expected, got)


def _verdict(got: bool, case: Case, *, accept_is: bool = True) -> Outcome:
    """Booleans: the wrong acceptance is saying `accept_is` when the answer was not."""
    return Outcome(got == case.expected, got == accept_is and case.expected != accept_is, got)


def _postcode(case: Case) -> Outcome:
    p = u.read_postcode(case.input)
    value = p.value if p else None
    wrong = p is not None and value != case.expected and not p.repaired
    return Outcome(value == case.expected, wrong, p)


def evaluate(case: Case) -> Outcome:
    o, today = case.options, _as_date(case.options.get("today")) or date(2025, 6, 1)
    kind = case.kind
    if kind == "characters":
        return _characters(case)
    if kind == "date":
        return _date(case, u.read_date(case.input, day_first=o.get("day_first", True), today=today))
    if kind == "keypad_date":
        return _date(case, u.read_keypad_date(case.input, layout=o["layout"], today=today))
    if kind == "postcode":
        return _postcode(case)
    if kind == "postcode_match":
        return _verdict(u.postcodes_match(case.input, o["on_file"]), case)
    if kind == "name":
        return _verdict(u.names_match(case.input, o["on_file"]), case)
    if kind == "email":
        return _value(u.read_email(case.input), case)
    if kind == "phone":
        return _value(u.read_phone(case.input, region=o.get("region", "GB")), case)
    if kind == "last_four":
        return _value(u.read_last_four(case.input), case)
    if kind == "withheld":  # treating a withheld ID as a usable number is the dangerous error
        return _verdict(u.is_withheld_caller_id(case.input), case, accept_is=False)
    if kind == "intent":
        return _value(u.match_intent(case.input, o["synonyms"]), case)
    if kind == "control":
        return _value(u.read_control(case.input), case)
    if kind == "yes_no":
        return _value(u.read_yes_no(case.input), case)
    raise ValueError(f"unknown kind {kind!r} in {case.file}")


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    wrong: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def score(cases: list[Case], repeat: int = 1) -> dict[str, Tally]:
    """Per-kind tallies plus "overall"; `repeat` runs each case several times for timing."""
    tallies: dict[str, Tally] = {}
    for case in cases:
        start = time.perf_counter()
        for _ in range(repeat):
            outcome = evaluate(case)
        elapsed = (time.perf_counter() - start) / repeat
        for key in (case.kind, "overall"):
            t = tallies.setdefault(key, Tally())
            t.total += 1
            t.correct += outcome.correct
            t.wrong += outcome.wrongly_accepted
            t.seconds += elapsed
            if not outcome.correct and key != "overall":
                t.failures.append(f"{case.label} expected {case.expected!r} got {outcome.got!r}")
    return tallies


def iter_report(tallies: dict[str, Tally]) -> Iterator[str]:
    yield f"{'kind':<16}{'cases':>6}{'correct':>10}{'wrong-acc':>11}{'mean us':>10}"
    for kind in sorted(tallies, key=lambda k: (k == "overall", k)):
        t = tallies[kind]
        yield (f"{kind:<16}{t.total:>6}{t.correct / t.total:>10.1%}{t.wrong / t.total:>11.1%}"
               f"{t.seconds / t.total * 1e6:>10.1f}")
