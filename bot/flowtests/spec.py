"""Conversation test files as supervisors write them (format: docs/flow-tests.md), read into plain
records and checked against the flow before anything runs, every problem with file and line."""
from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.dialogue import CHANNELS
from bot.engine.bundle import FlowBundle
from bot.yaml_source import ConfigError, Key, Problem, Source, load_yaml

FILE_FIELDS = ("name", "channel", "caller", "language", "now", "variants", "customers", "self_service", "turns", "outcome",
               "conversations")
CONVERSATION_FIELDS = ("name", "channel", "caller", "language", "now", "variants", "turns", "outcome", "same_replies_as")
TURN_FIELDS = ("send", "handoff", "confidence", "expect", "expect_not", "step")
OUTCOME_FIELDS = ("department", "verified", "locked", "reason", "ended", "texted")
CUSTOMER_COLUMNS = ("customer_number", "full_name", "date_of_birth", "postcode", "phone", "email", "segment", "status")
SILENCE = "silence"
# Without `now:` a test runs at this moment (a Monday morning), never at the real time: a test
# must not pass in office hours and fail at night.
DEFAULT_NOW = dt.datetime(2025, 3, 3, 10, 30, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class TurnSpec:
    line: int
    send: str | None  # None: no input yet, the greeting is checked
    silence: bool = False
    confidence: float | None = None
    expect: tuple[str, ...] = ()
    expect_not: tuple[str, ...] = ()
    step: str | None = None
    # How Twilio reports the handoff ended (busy, no-answer, left, ...), instead of something sent.
    handoff: str | None = None

    @property
    def described(self) -> str:
        if self.handoff is not None:
            return f"when the handoff ended: {self.handoff}"
        if self.send is None:
            return "the greeting"
        return "silence" if self.silence else f'after sending "{self.send}"'


@dataclass(frozen=True)
class ConversationSpec:
    line: int
    channel: str
    name: str | None = None
    caller: str | None = None
    language: str | None = None
    now: dt.datetime = DEFAULT_NOW
    turns: tuple[TurnSpec, ...] = ()
    # Only the fields given are checked; `department: null` means "no handoff".
    outcome: dict[str, Any] = field(default_factory=dict)
    outcome_lines: dict[str, int] = field(default_factory=dict)
    same_replies_as: str | None = None
    # A/B test name -> "A" or "B": the wording this conversation must hear.
    variants: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FlowTest:
    file: str
    name: str
    conversations: tuple[ConversationSpec, ...]
    # Inline rows (CSV columns), or a CSV file; None: the demo customers.
    customers: tuple[dict[str, str], ...] | Path | None = None
    customer_lines: tuple[int, ...] = ()
    now: dt.datetime = DEFAULT_NOW
    # What the self-service endpoint answers (`lookup` steps): its JSON fields, or "unavailable" (down).
    # None: no self-service configured, as when SELF_SERVICE_URL is not set.
    self_service: dict[str, Any] | str | None = None


class _Reader:
    """Walks one parsed file, collecting problems instead of stopping at the first."""

    def __init__(self, source: Source, raw: dict[Key, str], bundle: FlowBundle):
        self.source = source
        self.raw = raw
        self.bundle = bundle
        self.problems: list[Problem] = []

    def problem(self, path: Key, message: str) -> None:
        self.problems.append(self.source.problem(path, message))

    def fields(self, value: Any, path: Key, allowed: tuple[str, ...], what: str) -> Mapping:
        if not isinstance(value, Mapping):
            self.problem(path, f"expected {what} with fields: {', '.join(allowed)}")
            return {}
        for key in value:
            if key not in allowed:
                self.problem(path + (key,), f"unknown field {key!r}; expected one of {', '.join(allowed)}")
        return value

    def text(self, value: Any, path: Key, what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, (Mapping, list)):
            self.problem(path, f"expected {what}, got a {'list' if isinstance(value, list) else 'mapping'}")
            return None
        return self.raw.get(path, str(value))

    def words(self, value: Any, path: Key) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        paths = [path + (i,) for i in range(len(items))] if isinstance(value, list) else [path]
        words = []
        for item, item_path in zip(items, paths):
            word = self.text(item, item_path, "words the reply must (or must not) contain")
            if word is not None and word.strip():
                words.append(" ".join(word.split()))
            elif word is not None:
                self.problem(item_path, "expected words, got an empty value")
        return tuple(words)

    def clock(self, value: Any, path: Key) -> dt.datetime | None:
        text = self.text(value, path, "an ISO date and time, e.g. 2025-03-03T10:30:00+00:00")
        if text is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            self.problem(path, f"expected an ISO date and time, e.g. 2025-03-03T10:30:00+00:00, got {text!r}")
            return None
        if "T" not in text and " " not in text.strip():
            self.problem(path, f"expected a date and a time (business hours depend on the time), got {text!r}")
            return None
        # Without an offset the time is UTC, as the store keeps it.
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)

    def choice(self, value: Any, path: Key, choices: list[str] | tuple[str, ...], what: str) -> str | None:
        text = self.text(value, path, what)
        if text is not None and text not in choices:
            near = difflib.get_close_matches(text, list(choices), n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"expected one of: {', '.join(choices)}"
            self.problem(path, f"unknown {what} {text!r}; {hint}")
            return None
        return text


def read_test(path: Path, bundle: FlowBundle, *, display_name: str | None = None) -> FlowTest:
    """The test in `path`, or ConfigError listing every problem with file and line."""
    source = load_yaml(path, display_name)
    # Every scalar as typed: what a caller sends and the words a reply must contain are taken as written.
    reader = _Reader(source, source.raw, bundle)
    data = reader.fields(source.data, (), FILE_FIELDS, "a conversation test")
    name = reader.text(data.get("name"), ("name",), "a name for the test")
    if not name:
        reader.problem((), "expected `name:` saying what the test shows")
    channel = reader.choice(data.get("channel", "voice"), ("channel",), CHANNELS, "channel") or "voice"
    defaults = {
        "channel": channel,
        "caller": reader.text(data.get("caller"), ("caller",), "a phone number or chat address"),
        "language": _language(reader, data.get("language"), ("language",)),
        "now": reader.clock(data.get("now"), ("now",)) or DEFAULT_NOW,
        "variants": _variants(reader, data.get("variants"), ("variants",)),
    }
    customers, customer_lines = _customers(reader, data.get("customers"), path)
    self_service = _self_service(reader, data.get("self_service"), ("self_service",))
    if "conversations" in data:
        for key in ("turns", "outcome"):
            if key in data:
                reader.problem((key,), f"`{key}:` belongs inside each of `conversations:`, not beside it")
        items = data["conversations"]
        if not isinstance(items, list) or not items:
            reader.problem(("conversations",), "expected a list of conversations, each with turns and an outcome")
            items = []
        conversations = [_conversation(reader, item, ("conversations", i), defaults) for i, item in enumerate(items)]
    else:
        conversations = [_conversation(reader, data, (), defaults, top_level=True)]
    _check_same_replies(reader, conversations)
    if reader.problems:
        raise ConfigError(reader.problems)
    return FlowTest(source.file, name or path.stem, tuple(conversations), customers, customer_lines, defaults["now"],
                    self_service)


def _self_service(reader: _Reader, value: Any, path: Key) -> dict[str, Any] | str | None:
    """`self_service: {balance: "£12.00"}` is what the endpoint answers; `self_service: unavailable` is it down."""
    if value is None or value == "unavailable":
        return value
    if not isinstance(value, Mapping) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        reader.problem(path, "expected the endpoint's answer as fields, e.g. {balance: \"£12.00\", as_of: today}, "
                             "or unavailable")
        return None
    return {str(k): v for k, v in value.items()}


def _variants(reader: _Reader, value: Any, path: Key) -> dict[str, str]:
    """`variants: {short_number_prompt: B}`: which wording of each A/B test the conversation hears."""
    if value is None:
        return {}
    tests = [t["name"] for s in reader.bundle.flow.steps.values() if isinstance(t := s.data.get("ab_test"), Mapping)]
    if not isinstance(value, Mapping):
        reader.problem(path, "expected A/B test names with A or B, e.g. {short_number_prompt: B}")
        return {}
    chosen = {}
    for name, variant in value.items():
        if name not in tests:
            reader.problem(path + (name,), f"the flow has no A/B test {name!r}; its tests: {', '.join(tests) or 'none'}")
        elif variant not in ("A", "B"):
            reader.problem(path + (name,), f"expected A (the step's prompt) or B (the ab_test prompt), got {variant!r}")
        else:
            chosen[name] = variant
    return chosen


def _language(reader: _Reader, value: Any, path: Key) -> str | None:
    return reader.choice(value, path, reader.bundle.flow.languages, "language")


def _conversation(reader: _Reader, data: Any, path: Key, defaults: dict[str, Any], *,
                  top_level: bool = False) -> ConversationSpec:
    if not top_level:
        data = reader.fields(data, path, CONVERSATION_FIELDS, "a conversation")
    channel = defaults["channel"]
    if "channel" in data and not top_level:
        channel = reader.choice(data["channel"], path + ("channel",), CHANNELS, "channel") or channel
    turns_data = data.get("turns")
    if not isinstance(turns_data, list) or not turns_data:
        reader.problem(path + ("turns",) if "turns" in data else path,
                       "expected `turns:`, a list of what the caller sends and what the bot should say")
        turns_data = []
    turns = [_turn(reader, item, path + ("turns", i), channel, first=i == 0) for i, item in enumerate(turns_data)]
    outcome, outcome_lines = _outcome(reader, data.get("outcome"), path + ("outcome",))
    return ConversationSpec(
        line=reader.source.line(path),
        channel=channel,
        name=None if top_level else reader.text(data.get("name"), path + ("name",), "a name"),
        caller=defaults["caller"] if top_level or "caller" not in data else
        reader.text(data["caller"], path + ("caller",), "a phone number or chat address"),
        language=defaults["language"] if top_level or "language" not in data else
        _language(reader, data["language"], path + ("language",)),
        now=defaults["now"] if top_level or "now" not in data else
        reader.clock(data["now"], path + ("now",)) or defaults["now"],
        turns=tuple(turns),
        outcome=outcome,
        outcome_lines=outcome_lines,
        same_replies_as=None if top_level else reader.text(data.get("same_replies_as"), path + ("same_replies_as",),
                                                           "the name of an earlier conversation"),
        variants=defaults["variants"] if top_level or "variants" not in data else
        {**defaults["variants"], **_variants(reader, data["variants"], path + ("variants",))},
    )


def _turn(reader: _Reader, data: Any, path: Key, channel: str, *, first: bool) -> TurnSpec:
    data = reader.fields(data, path, TURN_FIELDS, "a turn")
    line = reader.source.line(path)
    send = reader.text(data.get("send"), path + ("send",), "what the caller sends: keypad like 1234#, words, or silence")
    handoff = None
    if "handoff" in data:
        from bot.engine.unanswered import RESULTS

        handoff = reader.choice(data.get("handoff"), path + ("handoff",), list(RESULTS), "handoff result")
        if "send" in data:
            reader.problem(path + ("handoff",), "a turn either sends something or says how a handoff ended, not both")
        if channel != "voice":
            reader.problem(path + ("handoff",), f"`handoff:` is how Twilio reports a call's <Dial> or queue ended; a "
                                                f"{channel} conversation is handed to the agent desk")
    elif "send" not in data and not first:
        reader.problem(path, "expected `send:` (or `handoff:`); only the first turn may leave it out, to check the greeting")
    silence = send is not None and send.strip().lower() == SILENCE
    if silence and channel != "voice":
        reader.problem(path + ("send",), f"`silence` is a voice caller saying nothing; a {channel} conversation "
                                         "only moves when a message arrives")
    if send is not None and not send.strip():
        reader.problem(path + ("send",), "expected something to send; write `send: silence` for no input")
    confidence = data.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                   or not 0 <= confidence <= 1):
        reader.problem(path + ("confidence",), f"expected the recogniser's confidence from 0 to 1, got {confidence!r}")
        confidence = None
    step = reader.choice(data.get("step"), path + ("step",), list(reader.bundle.flow.steps), "step")
    return TurnSpec(line=line, send=send, silence=silence, confidence=confidence,
                    expect=reader.words(data.get("expect"), path + ("expect",)),
                    expect_not=reader.words(data.get("expect_not"), path + ("expect_not",)), step=step,
                    handoff=handoff)


def _outcome(reader: _Reader, data: Any, path: Key) -> tuple[dict[str, Any], dict[str, int]]:
    if data is None:
        return {}, {}
    data = reader.fields(data, path, OUTCOME_FIELDS, "an outcome")
    outcome: dict[str, Any] = {}
    for key, value in data.items():
        if key not in OUTCOME_FIELDS:
            continue
        where = path + (key,)
        if key in ("verified", "locked", "ended", "texted"):
            if not isinstance(value, bool):
                reader.problem(where, f"expected true or false, got {value!r}")
                continue
            outcome[key] = value
        elif key == "department":
            if value is not None:
                value = reader.choice(value, where, sorted(reader.bundle.departments), "department")
                if value is None:
                    continue
            outcome[key] = value
        else:
            outcome[key] = reader.text(value, where, "a handoff reason, e.g. selected or attempts-exhausted")
    return outcome, {key: reader.source.line(path + (key,)) for key in outcome}


def _customers(reader: _Reader, data: Any, path: Path) -> tuple[tuple[dict[str, str], ...] | Path | None, tuple[int, ...]]:
    if data is None:
        return None, ()
    if isinstance(data, str):
        csv_path = (path.parent / reader.raw.get(("customers",), data)).resolve()
        if not csv_path.is_file():
            reader.problem(("customers",), f"no such CSV file: {csv_path}")
        return csv_path, ()
    if not isinstance(data, list) or not data:
        reader.problem(("customers",), "expected a list of customers (CSV columns as fields) or a CSV file name")
        return None, ()
    rows = []
    for index, item in enumerate(data):
        item = reader.fields(item, ("customers", index), CUSTOMER_COLUMNS, "a customer")
        rows.append({key: reader.text(value, ("customers", index, key), key) or "" for key, value in item.items()
                     if key in CUSTOMER_COLUMNS})
    return tuple(rows), tuple(reader.source.line(("customers", i)) for i in range(len(rows)))


def _check_same_replies(reader: _Reader, conversations: list[ConversationSpec]) -> None:
    seen: set[str] = set()
    for index, conversation in enumerate(conversations):
        wanted = conversation.same_replies_as
        if wanted is not None and wanted not in seen:
            reader.problem(("conversations", index, "same_replies_as"),
                           f"same_replies_as names no earlier conversation: {wanted!r}"
                           + (f"; earlier: {', '.join(sorted(seen))}" if seen else ""))
        if conversation.name in seen:
            reader.problem(("conversations", index, "name"), f"another conversation is already called {conversation.name!r}")
        if conversation.name:
            seen.add(conversation.name)
