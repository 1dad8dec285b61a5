"""Warnings about menu synonyms that can never route: a phrase another department's synonyms take
from it, or one two departments share (a caller who says it is asked again). Each synonym is read
exactly as a caller's words would be, by the same matcher the menu uses."""
from __future__ import annotations

from bot.understanding.intents import _phrase, explain_intent

Found = list[tuple[str, tuple, str]]  # (file, path in file, message)


def synonym_warnings(flow, routing) -> Found:
    found: Found = []
    seen: set[tuple[str, str]] = set()
    # One clash is one warning, however many of the two departments' phrases run into it.
    clashes: dict[tuple, tuple[tuple, str]] = {}
    order = list(routing.departments)
    for step in flow.steps.values():
        if step.type != "menu":
            continue
        synonyms = step.synonyms_by_department(routing.departments)
        threshold = step.get("intent_threshold")
        for department, phrases in synonyms.items():
            if department not in routing.departments:
                continue  # an option that goes to a step: its `words` are the flow's, not a department's
            spec = routing.departments[department]
            for index, phrase in enumerate(spec.synonyms):
                if (department, phrase) in seen:
                    continue
                seen.add((department, phrase))
                explained = explain_intent(phrase, synonyms, threshold=threshold)
                if explained.choice == department:
                    continue
                if explained.ties:
                    key = (frozenset(explained.ties), frozenset(_phrase(explained.best[d].synonym) for d in explained.ties))
                    where = ("departments", department, "synonyms", index)
                    departments = sorted(explained.ties, key=lambda d: order.index(d) if d in order else len(order))
                    message = (f"{phrase!r} fits {' and '.join(departments)} just as well "
                               f"({', '.join(f'{d}: {explained.best[d].synonym!r}' for d in departments)}): callers "
                               "who say it are asked again; keep it in one department or make it more specific")
                    if key not in clashes or order.index(department) >= order.index(clashes[key][0][1]):
                        clashes[key] = (where, message)
                    continue
                elif explained.choice is not None:
                    taken = explained.best[explained.choice].synonym
                    message = (f"synonym {phrase!r} of {department} routes to {explained.choice} "
                               f"(its synonym {taken!r} is more specific): callers who say it never reach {department}")
                else:
                    message = f"synonym {phrase!r} of {department} is not recognised by the menu ({explained.reason})"
                found.append(("departments.yaml", ("departments", department, "synonyms", index), message))
    found += [("departments.yaml", where, message) for where, message in clashes.values()]
    return found
