"""Warnings about menu synonyms that can never route: a phrase another department's synonyms take
from it, or one two departments share (a caller who says it is asked again). Each synonym is read
exactly as a caller's words would be, by the same matcher the menu uses."""
from __future__ import annotations

from bot.understanding.intents import explain_intent

Found = list[tuple[str, tuple, str]]  # (file, path in file, message)


def synonym_warnings(flow, routing) -> Found:
    found: Found = []
    seen: set[tuple[str, str]] = set()
    for step in flow.steps.values():
        if step.type != "menu":
            continue
        synonyms = step.synonyms_by_department(routing.departments)
        threshold = step.get("intent_threshold")
        for department, phrases in synonyms.items():
            spec = routing.departments[department]
            for index, phrase in enumerate(spec.synonyms):
                if (department, phrase) in seen:
                    continue
                seen.add((department, phrase))
                explained = explain_intent(phrase, synonyms, threshold=threshold)
                if explained.choice == department:
                    continue
                if explained.ties:
                    others = [d for d in explained.ties if d != department]
                    message = (f"synonym {phrase!r} of {department} fits {', '.join(others)} just as well "
                               f"({', '.join(repr(explained.best[d].synonym) for d in others)}): callers who say it "
                               "are asked again; make it more specific or keep it in one department")
                elif explained.choice is not None:
                    taken = explained.best[explained.choice].synonym
                    message = (f"synonym {phrase!r} of {department} routes to {explained.choice} "
                               f"(its synonym {taken!r} is more specific): callers who say it never reach {department}")
                else:
                    message = f"synonym {phrase!r} of {department} is not recognised by the menu ({explained.reason})"
                found.append(("departments.yaml", ("departments", department, "synonyms", index), message))
    return found
