"""A/B tests of a question's wording compared: for each variant, how callers fared at the question
whose wording changed and over the whole call, with a 95% interval for the difference (Newcombe)
and a plain verdict once each variant has enough conversations."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.reporting.facts import ConversationFacts, StepMarks, load_facts
from bot.reporting.measures import Measure, percent, share
from bot.reporting.period import Period
from bot.reporting.stats import newcombe, per_group
from bot.store import flow_versions

# No verdict before each variant has this many conversations: early differences are mostly noise.
MIN_PER_VARIANT = 100
CONVERSATIONS = Measure("conversations", "conversations", "conversations that heard this wording")
# (measure, which way is better: +1 more is better, -1 less is better, 0 neither)
QUESTION = (
    (Measure("first_try", "answered 1st try", "answered the question the first time it was asked"), +1),
    (Measure("no_match", "no match", "gave an answer that was not understood or not valid, at least once"), -1),
)
CALL = (
    (Measure("verified", "verified", "the whole conversation ended verified"), +1),
    (Measure("routed", "handed off", "put through to a department's agents"), 0),
    (Measure("ran_out", "attempts ran out", "used every attempt at some question"), -1),
    (Measure("hung_up", "hung up", "hung up, or a chat went quiet, before the end"), -1),
)
PRIMARY = QUESTION[0][0]


@dataclass(frozen=True)
class VariantFigures:
    variant: str
    wording: list[tuple[str, str]]  # (channel or language, text)
    counts: dict[str, int]

    @property
    def conversations(self) -> int:
        return self.counts["conversations"]

    def share(self, key: str) -> float | None:
        return share(self.counts[key], self.conversations)


@dataclass(frozen=True)
class Comparison:
    measure: Measure
    direction: int
    difference: float  # B minus A
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The 95% interval leaves out zero."""
        return self.low > 0 or self.high < 0

    @property
    def better(self) -> str | None:
        if not self.clear or self.direction == 0:
            return None
        return "B" if (self.difference > 0) == (self.direction > 0) else "A"

    def describe(self) -> str:
        return (f"B - A {self.difference * 100:+.1f} points (95% CI {self.low * 100:+.1f} to {self.high * 100:+.1f})")


@dataclass(frozen=True)
class ABTest:
    name: str
    step: str
    variants: list[VariantFigures]
    comparisons: list[Comparison]  # empty unless both A and B were heard
    verdict: str
    more_needed: int | None  # conversations still needed for a verdict, when that can be said


def variants(session: Session, period: Period, facts: list[ConversationFacts] | None = None,
             *, min_per_variant: int = MIN_PER_VARIANT) -> list[ABTest]:
    facts = load_facts(session, period) if facts is None else facts
    groups: dict[str, dict[str, list[ConversationFacts]]] = defaultdict(lambda: defaultdict(list))
    steps: dict[str, str] = {}
    versions: dict[str, list[str]] = defaultdict(list)
    for c in facts:
        for test, (variant, step) in c.variants.items():
            groups[test][variant].append(c)
            steps.setdefault(test, step)
            if c.flow_version not in versions[test]:
                versions[test].append(c.flow_version)
    tests = []
    for test in sorted(groups):
        step = steps[test]
        wordings = _wordings(session, versions[test], step)
        figures = [VariantFigures(v, wordings.get(v, []), _counts(members, step))
                   for v, members in sorted(groups[test].items())]
        tests.append(_compare(test, step, figures, min_per_variant))
    return tests


def _counts(members: list[ConversationFacts], step: str) -> dict[str, int]:
    marks = [c.steps.get(step, StepMarks()) for c in members]
    return {
        "conversations": len(members),
        "first_try": sum(m.first_try for m in marks),
        "no_match": sum(m.no_match for m in marks),
        "verified": sum(c.verified for c in members),
        "routed": sum(c.routed_to is not None for c in members),
        "ran_out": sum("exhausted" in c.outcomes for c in members),
        "hung_up": sum(bool(c.outcomes & {"hung-up", "expired"}) for c in members),
    }


def _compare(test: str, step: str, figures: list[VariantFigures], minimum: int) -> ABTest:
    by_name = {f.variant: f for f in figures}
    a, b = by_name.get("A"), by_name.get("B")
    if a is None or b is None:
        heard = figures[0].conversations if figures else 0
        return ABTest(test, step, figures, [], f"too early: only variant {figures[0].variant} has been heard "
                      f"({heard} conversation{'s' if heard != 1 else ''})" if figures else "too early", None)
    comparisons = []
    for measure, direction in (*QUESTION, *CALL):
        low, high = newcombe(b.counts[measure.key], b.conversations, a.counts[measure.key], a.conversations)
        comparisons.append(Comparison(measure, direction, b.share(measure.key) - a.share(measure.key), low, high))
    total = a.conversations + b.conversations
    split = b.conversations / total
    primary = comparisons[0]
    figures_text = (f"{percent(b.counts[PRIMARY.key], b.conversations)} of B's callers answered the first time, "
                    f"against {percent(a.counts[PRIMARY.key], a.conversations)} of A's")
    if min(a.conversations, b.conversations) < minimum:
        more = _more_calls(minimum, a.conversations, b.conversations, split)
        return ABTest(test, step, figures, comparisons,
                      f"not enough calls yet: about {more} more needed before any verdict "
                      f"(at least {minimum} per wording)", more)
    if primary.better:
        return ABTest(test, step, figures, comparisons, f"{primary.better} is better: {figures_text} "
                      f"({primary.describe()})", 0)
    needed = per_group(a.share(PRIMARY.key), b.share(PRIMARY.key))
    if needed is None:
        return ABTest(test, step, figures, comparisons,
                      f"no difference yet: both wordings were answered the first time by "
                      f"{percent(a.counts[PRIMARY.key], a.conversations)} of callers", None)
    more = _more_calls(needed, a.conversations, b.conversations, split)
    return ABTest(test, step, figures, comparisons,
                  f"no difference yet: about {more} more calls needed ({figures_text})", more)


def _more_calls(per_variant: int, n_a: int, n_b: int, split: float) -> int:
    """Further conversations, shared between the variants as so far, until each has `per_variant`."""
    total = max(per_variant / (1 - split), per_variant / split)
    return max(0, math.ceil(total - 1e-9) - (n_a + n_b), per_variant - min(n_a, n_b))


def _wordings(session: Session, versions: list[str], step: str) -> dict[str, list[tuple[str, str]]]:
    """Each variant's prompt as the newest of these versions has it: A is `prompt`, B is `ab_test.prompt`."""
    live = flow_versions.current_version(session)
    for version in sorted(versions, key=lambda v: v != live):
        files = flow_versions.version_files(session, version) or {}
        try:
            spec = ((yaml.safe_load(files.get("default.yaml", "")) or {}).get("steps") or {}).get(step) or {}
        except (yaml.YAMLError, AttributeError):
            continue
        test = spec.get("ab_test") if isinstance(spec, dict) else None
        if isinstance(test, dict):
            return {"A": _flatten(spec.get("prompt")), "B": _flatten(test.get("prompt"))}
    return {}


def _flatten(value: Any, label: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(label, " ".join(value.split()))]
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _flatten(item, f"{label} {key}".strip())]
    return []
