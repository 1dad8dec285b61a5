"""Which steps of a flow are questions (and which ask a verification detail), in the order a
caller meets them: read from the flow versions the period's conversations ran on."""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from sqlalchemy.orm import Session

from bot.engine.steps import STEP_TYPES
from bot.store import flow_versions

_CACHE: dict[str, "FlowShape | None"] = {}


@dataclass(frozen=True)
class FlowShape:
    order: tuple[str, ...]  # every step reachable from the start, breadth first
    questions: frozenset[str]
    factor_questions: frozenset[str]  # questions that ask a verification detail


def shape_of(files: dict[str, str]) -> FlowShape | None:
    try:
        data = yaml.safe_load(files.get("default.yaml", "")) or {}
    except yaml.YAMLError:
        return None
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, dict) or data.get("start") not in steps:
        return None
    questions, factors, graph = set(), set(), {}
    for name, spec in steps.items():
        spec = spec if isinstance(spec, dict) else {}
        kind = STEP_TYPES.get(spec.get("type"))
        if kind is None:
            continue
        step = kind(name, spec)
        graph[name] = list(step.transitions().values())
        # An inline language offer rides on the next question: it is not asked on its own.
        if kind.waits_for_input and not (spec.get("type") == "language" and spec.get("inline")):
            questions.add(name)
            if spec.get("factor") or spec.get("type") == "one_time_code":
                factors.add(name)
    order, seen, queue = [], {data["start"]}, deque([data["start"]])
    while queue:
        name = queue.popleft()
        order.append(name)
        for following in graph.get(name, []):
            if following in steps and following not in seen:
                seen.add(following)
                queue.append(following)
    order += [name for name in steps if name not in seen]
    return FlowShape(tuple(order), frozenset(questions), frozenset(factors))


def shape(session: Session, version: str) -> FlowShape | None:
    """A stored version's shape (versions are immutable, so each is read once); None if not stored."""
    if version not in _CACHE:
        files = flow_versions.version_files(session, version)
        found = shape_of(files) if files is not None else None
        if found is None:
            return None  # not stored yet: look again next time
        _CACHE[version] = found
    return _CACHE[version]


def merged(session: Session, versions: Iterable[str]) -> FlowShape | None:
    """The shapes of several versions together, the live one's order first; None if none is stored."""
    live = flow_versions.current_version(session)
    ordered = sorted(set(versions), key=lambda v: v != live)
    shapes = [s for s in (shape(session, v) for v in ordered) if s is not None]
    if not shapes:
        return None
    order: list[str] = []
    for item in shapes:
        order += [name for name in item.order if name not in order]
    return FlowShape(tuple(order), frozenset().union(*(s.questions for s in shapes)),
                     frozenset().union(*(s.factor_questions for s in shapes)))
