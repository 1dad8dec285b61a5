"""Run conversation tests: each file in a fresh SQLite database (migrated, customers imported), each
conversation through `bot.turns.Conversations` like a real call or chat. Same engine, same store code."""
from __future__ import annotations

import csv
import difflib
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import keys
from bot.chat.render import chat_text
from bot.customers.importer import import_customers
from bot.demo import DEMO_CSV
from bot.dialogue import Dialogue, Renderers
from bot.engine.bundle import FlowBundle
from bot.engine.io import Reply
from bot.flowtests.spec import CUSTOMER_COLUMNS, ConversationSpec, FlowTest, TurnSpec, read_test
from bot.records import Handoff, Looked
from bot.store.db import get_engine, transaction
from bot.store.migrate import upgrade
from bot.turns import Conversations
from bot.yaml_source import ConfigError, Problem


@dataclass(frozen=True)
class Mismatch:
    """One thing that differed: what the test expected and what the bot did."""

    label: str
    expected: str
    actual: str
    hint: str | None = None


@dataclass(frozen=True)
class Exchange:
    sent: str | None
    said: str
    step: str | None


@dataclass
class Failure:
    line: int
    where: str
    mismatches: list[Mismatch] = field(default_factory=list)
    # Lines of a unified diff, for conversations that must say exactly the same as another.
    diff: list[str] = field(default_factory=list)
    transcript: list[Exchange] = field(default_factory=list)
    detail: str | None = None  # the traceback when the bot itself failed
    # The A/B wordings the conversation heard (test name -> A or B): a failure may be the variant's.
    variants: dict[str, str] = field(default_factory=dict)


@dataclass
class FlowTestResult:
    file: str
    name: str
    failure: Failure | None = None
    problems: list[Problem] = field(default_factory=list)  # the file could not be read or set up

    @property
    def passed(self) -> bool:
        return self.failure is None and not self.problems


def find_tests(path: Path) -> list[Path]:
    """A file, or every .yaml file in a folder (not its sub-folders), in name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def run_file(path: Path, bundle: FlowBundle, *, renderers: Renderers, display_name: str | None = None) -> FlowTestResult:
    name = display_name or str(path)
    try:
        test = read_test(path, bundle, display_name=name)
    except ConfigError as exc:
        return FlowTestResult(name, path.stem, problems=exc.problems)
    with tempfile.TemporaryDirectory(prefix="flowtest-") as workdir:
        return run_test(test, bundle, workdir=Path(workdir), renderers=renderers)


def _test_keys() -> None:
    """Conversations are sealed even in a test database. Without a configured data key (a supervisor's
    machine) a throwaway one serves: the test database is thrown away too."""
    try:
        keys.current()
    except keys.DataKeyError:
        keys.install(keys.Keyring.generate())


def run_test(test: FlowTest, bundle: FlowBundle, *, workdir: Path, renderers: Renderers) -> FlowTestResult:
    url = f"sqlite:///{workdir / 'flowtest.db'}"
    _test_keys()
    result = FlowTestResult(test.file, test.name)
    try:
        upgrade(url)
        result.problems = _load_customers(test, bundle, url, workdir)
        if result.problems:
            return result
        heard: dict[str, list[str]] = {}
        for index, spec in enumerate(test.conversations):
            failure, said = _run_conversation(spec, bundle, url, index, Path(test.file).stem, test.self_service,
                                              renderers=renderers)
            if failure is None and spec.same_replies_as is not None:
                failure = _compare(spec, said, heard[spec.same_replies_as])
            if failure is not None:
                result.failure = failure
                return result
            if spec.name:
                heard[spec.name] = said
        return result
    finally:
        # One engine per URL is cached; this database is about to be deleted.
        get_engine(url).dispose()


def _load_customers(test: FlowTest, bundle: FlowBundle, url: str, workdir: Path) -> list[Problem]:
    csv_path = DEMO_CSV
    if isinstance(test.customers, Path):
        csv_path = test.customers
    elif test.customers is not None:
        csv_path = workdir / "customers.csv"
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CUSTOMER_COLUMNS)
            writer.writeheader()
            writer.writerows(test.customers)
    today = test.now.date()
    with transaction(url) as session:
        report = import_customers(session, csv_path, schemes=bundle.schemes, region=bundle.region, today=today)
    problems = []
    for line, reason in report.rejected:
        if isinstance(test.customers, tuple):
            # CSV line 2 is the first customer listed in the test file.
            index = max(0, min(line - 2, len(test.customer_lines) - 1))
            problems.append(Problem(test.file, test.customer_lines[index], f"customer rejected: {reason}"))
        else:
            problems.append(Problem(str(csv_path), line, f"customer rejected: {reason}"))
    return problems


@dataclass(frozen=True)
class StandInSelfService:
    """The self-service endpoint as a test file says it answers: no HTTP in a conversation test."""

    answer: dict[str, Any] | None  # None: the endpoint is down

    def look_up(self, request: dict) -> Looked:
        if self.answer is None:
            return Looked(problem="unavailable (as the conversation test says)")
        return Looked(values=dict(self.answer))


def _self_service(answer: dict[str, Any] | str | None) -> StandInSelfService | None:
    if answer is None:
        return None
    return StandInSelfService(None if answer == "unavailable" else answer)


def _run_conversation(spec: ConversationSpec, bundle: FlowBundle, url: str,
                      index: int, test_name: str = "", self_service: dict[str, Any] | str | None = None, *,
                      renderers: Renderers) -> tuple[Failure | None, list[str]]:
    # A fixed key per test file and position: an A/B split picks its wording from the key, so a test
    # hears the same variant every run, different tests hear different ones, and `variants:` chooses.
    # can_text: a turn may ask for a text message (a recovered number); a conversation test sends none.
    dialogue = Dialogue(Conversations(url, bundle, clock=lambda: spec.now, self_service=_self_service(self_service),
                                      can_text=True),
                        channel=spec.channel, renderers=renderers, caller=spec.caller,
                        language=spec.language, session_key=f"FLOWTEST-{test_name}-{index + 1}",
                        variants=spec.variants)
    transcript: list[Exchange] = []
    handoff: Handoff | None = None
    texted = False  # a text message to a customer's phone was asked for (a recovered number)

    def failed(line: int, where: str, *mismatches: Mismatch, detail: str | None = None):
        state = dialogue.state()
        return (Failure(line, where, list(mismatches), transcript=transcript, detail=detail,
                        variants=dict(state.variants) if state else {}), [e.said for e in transcript])

    turns = list(spec.turns)
    # A call or the web widget opens by itself; by SMS or WhatsApp the first message opens it.
    if not turns or (turns[0].send is not None and not dialogue.opened_by_message):
        turns.insert(0, TurnSpec(line=spec.line, send=None))
    for number, turn in enumerate(turns, start=0 if turns[0].send is None else 1):
        where = f"turn {number}, {turn.described}" if number else "the greeting"
        if spec.name:
            where = f'conversation "{spec.name}", {where}'
        if dialogue.ended and not (turn.handoff is not None and handoff is not None):
            return failed(turn.line, where, Mismatch("conversation", "still open, waiting for this turn",
                                                     f"already ended: {_ending(handoff)}"))
        try:
            reply = _send(dialogue, turn)
        except Exception as exc:  # a supervisor needs the test line; the traceback is kept for -v
            return failed(turn.line, where, Mismatch("bot", "a reply", f"failed with {type(exc).__name__}: {exc}"),
                          detail=traceback.format_exc())
        state = dialogue.state()
        step = state.step if state else None
        said = _said(reply, spec.channel)
        transcript.append(Exchange(turn.send, said, step))
        handoff = reply.handoff or handoff
        texted = texted or bool(reply.texts)
        mismatches = _check_turn(turn, said, step)
        if mismatches:
            return failed(turn.line, where, *mismatches)
    mismatches, line = _check_outcome(spec, dialogue, handoff, texted)
    if mismatches:
        return failed(line, f'the outcome of conversation "{spec.name}"' if spec.name else "the outcome", *mismatches)
    return None, [e.said for e in transcript]


def _send(dialogue: Dialogue, turn: TurnSpec) -> Reply:
    if turn.handoff is not None and dialogue.last is not None:
        result = dialogue.handoff_ended(turn.handoff)
    elif dialogue.last is None:
        result = dialogue.start(turn.send or "")
    elif turn.silence:
        result = dialogue.silence()
    else:
        result = dialogue.send(turn.send or "", confidence=turn.confidence)
    if result.reply is None:
        raise RuntimeError("the store replayed an earlier reply instead of running the turn")
    return result.reply


def _said(reply: Reply, channel: str) -> str:
    # What the caller hears or the customer reads, one line, as the checks compare it.
    return " ".join((reply.text if channel == "voice" else chat_text(reply)).split())


def _check_turn(turn: TurnSpec, said: str, step: str | None) -> list[Mismatch]:
    found = []
    folded = said.casefold()
    for words in turn.expect:
        if words.casefold() not in folded:
            found.append(Mismatch("reply containing", words, said, hint=closest(words, said)))
    for words in turn.expect_not:
        if words.casefold() in folded:
            found.append(Mismatch("reply without", words, said))
    if turn.step is not None and turn.step != step:
        found.append(Mismatch("step", turn.step, str(step)))
    return found


def _check_outcome(spec: ConversationSpec, dialogue: Dialogue, handoff: Handoff | None,
                   texted: bool = False) -> tuple[list[Mismatch], int]:
    state = dialogue.state()
    actual: dict[str, Any] = {
        "department": handoff.department if handoff else None,
        "verified": bool(state and state.verified),
        "locked": bool(state and state.locked),
        "reason": handoff.context.get("reason") if handoff else (state.handoff_reason if state else None),
        "ended": bool(state and state.ended),
        "texted": texted,
    }
    found, lines = [], []
    for key, expected in spec.outcome.items():
        if actual[key] != expected:
            found.append(Mismatch(key, _show(expected), _show(actual[key])))
            lines.append(spec.outcome_lines.get(key, spec.line))
    return found, min(lines, default=spec.line)


def _compare(spec: ConversationSpec, said: list[str], other: list[str]) -> Failure | None:
    if said == other:
        return None
    diff = list(difflib.unified_diff(other, said, fromfile=spec.same_replies_as or "", tofile=spec.name or "this conversation",
                                     lineterm="", n=1))
    return Failure(spec.line, f"conversation {spec.name or ''!r} should hear exactly what "
                              f"{spec.same_replies_as!r} heard", diff=diff)


def closest(words: str, said: str) -> str | None:
    """The run of words in the reply most like the expected ones, when one is close: 'postcode' ~ 'post code'."""
    tokens = said.split()
    size = len(words.split())
    candidates = {" ".join(tokens[i:i + n]) for n in (size - 1, size, size + 1) if n > 0
                  for i in range(0, max(0, len(tokens) - n) + 1)}
    best = difflib.get_close_matches(words.casefold(), [c.casefold() for c in candidates], n=1, cutoff=0.6)
    if not best:
        return None
    return next(c for c in candidates if c.casefold() == best[0]).strip(".,?!")


def _ending(handoff: Handoff | None) -> str:
    return f"handed over to {handoff.department}" if handoff else "the flow ended it"


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


__all__ = ["Exchange", "Failure", "Mismatch", "FlowTestResult", "find_tests", "run_file", "run_test", "closest"]
