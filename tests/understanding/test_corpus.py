"""Acceptance: the transcript corpus in tests/corpus is read well and never wrongly accepted."""

import time

import pytest


@pytest.fixture(scope="module")
def tallies(evaluate):
    cases = evaluate.load()
    assert len(cases) >= 300
    return evaluate.score(cases)


def test_corpus_covers_every_kind(tallies):
    kinds = {"characters", "date", "keypad_date", "postcode", "postcode_match", "name", "email",
             "phone", "last_four", "withheld", "intent", "control", "yes_no"}
    assert kinds <= set(tallies)


def test_at_least_97_percent_read_correctly(tallies):
    overall = tallies["overall"]
    failures = [f for kind, t in tallies.items() if kind != "overall" for f in t.failures]
    assert overall.correct / overall.total >= 0.97, "\n".join(failures)


def test_nothing_wrongly_accepted(tallies):
    wrong = {kind: t.wrong for kind, t in tallies.items() if t.wrong}
    assert not wrong


def test_traps_are_in_the_corpus(evaluate):
    # The corpus must hold answers that must not be accepted, or "0 wrong" proves nothing.
    cases = evaluate.load()
    traps = [c for c in cases if c.expected in (None, False) and c.kind in ("characters", "date", "name")]
    assert len(traps) >= 40


def test_mean_cost_under_a_millisecond(evaluate):
    cases = evaluate.load()
    evaluate.score(cases)  # warm the lazy tables (nicknames, phone metadata)
    best = min(_timed(evaluate, cases) for _ in range(3))
    assert best < 1e-3, f"{best * 1e6:.0f} us per utterance"


def _timed(evaluate, cases):
    start = time.perf_counter()
    for case in cases:
        evaluate.evaluate(case)
    return (time.perf_counter() - start) / len(cases)


def test_harness_detects_a_wrong_acceptance(evaluate):
    # If the scorer could not see a wrong acceptance, the zero above would mean nothing.
    case = evaluate.Case("x.yaml", "characters", "1059083011", "1052601818",
                         {"layout": "DDDDDDDDDD", "accept": "damm10"})
    assert evaluate.evaluate(case).wrongly_accepted
    flagged = evaluate.Case("x.yaml", "characters", "one oh five nine oh eight three oh double one",
                            "1052601818", {"layout": "DDDDDDDDDD", "accept": "damm10"})
    assert not evaluate.evaluate(flagged).wrongly_accepted  # read back: "oh" was interpreted
