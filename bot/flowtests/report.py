"""Test results as a supervisor reads them: one line per test, and for a failure the file and line,
then the difference: `-` what the test expected, `+` what the bot did."""
from __future__ import annotations

from collections.abc import Iterator

from bot.flowtests.run import Failure, FlowTestResult

Line = tuple[str, str | None]  # text, and a rich style for terminals
INDENT = "      "

_REPLY_LABELS = ("reply containing", "reply without")


def report(result: FlowTestResult, *, transcript: bool = False) -> Iterator[Line]:
    if result.passed:
        yield f"PASS  {result.file}  {result.name}", "green"
        return
    yield f"FAIL  {result.file}  {result.name}", "bold red"
    for problem in result.problems:
        yield f"{INDENT}{problem}", None
    if result.failure is not None:
        yield from _failure(result.file, result.failure, transcript=transcript)


def _failure(file: str, failure: Failure, *, transcript: bool) -> Iterator[Line]:
    yield f"{INDENT}{file}:{failure.line}: {failure.where}  (- expected, + actual)", None
    if failure.variants:
        served = ", ".join(f"{name} served {variant}" for name, variant in sorted(failure.variants.items()))
        yield f"{INDENT}  A/B test: {served} (choose one with `variants:`)", None
    pending_reply: str | None = None
    for mismatch in failure.mismatches:
        if mismatch.label in _REPLY_LABELS:
            # Several expected words, one reply: the words first, then what was said once.
            yield f"{INDENT}  - {mismatch.label}: {quoted(mismatch.expected)}", "red"
            if mismatch.hint:
                yield f"{INDENT}    (closest in the reply: {quoted(mismatch.hint)})", None
            pending_reply = mismatch.actual
            continue
        if pending_reply is not None:
            yield f"{INDENT}  + reply: {quoted(pending_reply)}", "green"
            pending_reply = None
        yield f"{INDENT}  - {mismatch.label}: {mismatch.expected}", "red"
        yield f"{INDENT}  + {mismatch.label}: {mismatch.actual}", "green"
    if pending_reply is not None:
        yield f"{INDENT}  + reply: {quoted(pending_reply)}", "green"
    for line in failure.diff:
        style = "red" if line.startswith("-") else "green" if line.startswith("+") else None
        yield f"{INDENT}  {line}", style
    if transcript and failure.transcript:
        yield f"{INDENT}the conversation until then:", None
        for exchange in failure.transcript:
            if exchange.sent is not None:
                yield f"{INDENT}  you: {exchange.sent}", None
            yield f"{INDENT}  bot: {exchange.said}   [{exchange.step}]", None
    if transcript and failure.detail:
        for line in failure.detail.rstrip().splitlines():
            yield f"{INDENT}  {line}", None


def quoted(text: str) -> str:
    # Always double quotes, nothing escaped: the words exactly as a supervisor would type them.
    return f'"{text}"'


def summary(results: list[FlowTestResult]) -> Line:
    failed = sum(not r.passed for r in results)
    passed = len(results) - failed
    text = f"{passed} passed, {failed} failed" if results else "no tests found"
    return text, "bold red" if failed or not results else "bold green"
