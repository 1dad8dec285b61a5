"""A database of known conversations, driven through the real engine (and, for the A/B verdict,
a known set of recorded events), for asserting every figure the reports and the console show.

Three days in March 2026 (London is on UTC then). Conversations:

| key | day | channel | what the caller does | ends |
|---|---|---|---|---|
| V1 | 1 | voice | number, date of birth, postcode, 1 | handed off: billing |
| V2 | 1 | voice | silence at the number, then number, DOB, postcode, 2 | handed off: cards |
| V3 | 1 | voice | a wrong DOB: the check fails and sends them back to the number; number, right DOB, postcode, 1 | handed off: billing |
| W1 | 1 | web | number, DOB, postcode, "billing" | handed off: billing |
| V4 | 2 | voice | hangs up at the number | abandoned |
| V5 | 2 | voice | number, then silence three times at the DOB | attempts ran out: general |
| V6 | 2 | voice | number, DOB, hangs up at the postcode | abandoned |
| S1 | 2 | sms | number, then goes quiet (the chat expires at the DOB) | abandoned |
| V7 | 3 | voice | number, DOB, postcode, hangs up at the menu | contained (left once verified) |
| V8 | 3 | voice | after hours: number, DOB, postcode, 1 (billing is closed) | contained: callback request |
| W2 | 3 | web | "hello" at the number (no match), then number, DOB, postcode, "2" | handed off: cards |

How the voice handoffs ended (Twilio's callbacks, as bot/store/handoffs.py records them):

| key | department | result | waited |
|---|---|---|---|
| V1 | billing | answered (bridged) | 30 s |
| V2 | cards | abandoned (hung up in the queue) | 90 s |
| V3 | billing | left (waited past the maximum) | 125 s |
| V5 | general | busy (not taken: "failed") | 15 s |

Number recoveries ("I don't know my number"), a week later, apart from the figures above
(`seed_recoveries`; texts can be sent unless said):

| key | day | channel | what the caller does | recovery |
|---|---|---|---|---|
| RV1 | R1 | voice | from Alice's phone on file: star-hash, DOB, postcode, then hangs up | texted |
| RS1 | R1 | sms | "I don't know my number", Alice's name, DOB, postcode, then goes quiet | texted |
| RW1 | R1 | web | the same, with a postcode that is not Alice's | not matched |
| RV2 | R2 | voice | a name and DOB that are nobody's | not matched |
| RV3 | R2 | voice | "I don't know my number", then hangs up at the name | unfinished |
| RW2 | R2 | web | "I don't know my number" where no text can be sent | unavailable |
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

from bot.chat.idle import expire_conversation
from bot.dialogue import Dialogue
from bot.engine.bundle import load_bundle
from bot.store import flow_versions
from bot.store.db import transaction
from bot.store.handoffs import handoff_ended, handoff_started
from bot.store.models import Conversation, Event
from bot.turns import Conversations
from tests.conftest import FLOWS
from webhooks.renderers import renderer_for

UTC = dt.timezone.utc
DAY1, DAY2, DAY3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
NUMBER, DOB, POSTCODE = "1023456781", "03031985", "SW1A 1AA"
HOURS = "timezone: Europe/London\n"
BILLING_HOURS = "    hours: {weekly: {mon-fri: \"08:00-20:00\"}}\n    after_hours: {action: callback}\n"
AB_SPLIT = """    ab_test:
      name: dob_wording
      share: 0.5
      prompt: "Your date of birth, please: day, month, year."
"""


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


def seed_flows(tmp_path: Path) -> Path:
    """The shipped flows, with billing closed after 20:00 (callback requests)."""
    target = tmp_path / "seed-flows"
    shutil.copytree(FLOWS, target)
    text = (target / "departments.yaml").read_text()
    marker = "    target: {queue: billing}\n"
    assert marker in text and "general: general" in text
    text = text.replace("general: general", HOURS + "general: general", 1).replace(marker, marker + BILLING_HOURS)
    (target / "departments.yaml").write_text(text)
    return target


@dataclass(frozen=True)
class Script:
    key: str
    when: dt.datetime
    channel: str
    lines: tuple  # text, or None for silence
    then: str | None = None  # "hang up" | "go quiet"
    caller: str | None = None  # the caller ID (voice, SMS); a default one if None
    can_text: bool = False  # a way to send texts (number recovery)


SCRIPTS = (
    Script("V1", at(DAY1, 9), "voice", (NUMBER + "#", DOB, POSTCODE, "1")),
    Script("V2", at(DAY1, 10), "voice", (None, NUMBER + "#", DOB, POSTCODE, "2")),
    Script("V3", at(DAY1, 11), "voice", (NUMBER + "#", "01011990", POSTCODE, NUMBER + "#", DOB, POSTCODE, "1")),
    Script("W1", at(DAY1, 12), "web", (NUMBER, "3 March 1985", POSTCODE, "billing")),
    Script("V4", at(DAY2, 9), "voice", (), then="hang up"),
    Script("V5", at(DAY2, 10), "voice", (NUMBER + "#", None, None, None)),
    Script("V6", at(DAY2, 11), "voice", (NUMBER + "#", DOB), then="hang up"),
    Script("S1", at(DAY2, 12), "sms", (NUMBER,), then="go quiet"),
    Script("V7", at(DAY3, 9), "voice", (NUMBER + "#", DOB, POSTCODE), then="hang up"),
    Script("V8", at(DAY3, 21), "voice", (NUMBER + "#", DOB, POSTCODE, "1")),
    Script("W2", at(DAY3, 12), "web", ("hello", NUMBER, "3 March 1985", POSTCODE, "2")),
)


def publish(database_url: str, flows: Path):
    bundle = load_bundle(flows)
    with transaction(database_url) as session:
        flow_versions.publish(session, version=bundle.version, files=bundle.files, by="seed")
    return bundle


def drive(database_url: str, bundle, script: Script) -> str:
    """Run one scripted conversation through the engine; returns its session key."""
    conversations = Conversations(database_url, bundle, clock=lambda: script.when, can_text=script.can_text)
    dialogue = Dialogue(conversations, channel=script.channel, renderers=renderer_for, session_key=f"SEED-{script.key}",
                        caller=script.caller or "+447700900123" if script.channel in ("voice", "sms") else None)
    dialogue.start("hi" if script.channel == "sms" else "")
    for line in script.lines:
        dialogue.silence() if line is None else dialogue.send(line)
    if script.then == "hang up":
        dialogue.hang_up()
    elif script.then == "go quiet":
        with transaction(database_url) as session:
            expire_conversation(session, key=dialogue.session_key)
    with transaction(database_url) as session:
        # The engine stamps rows with the wall clock; the seed's conversations happened on its days.
        session.execute(update(Conversation).where(Conversation.session_key == dialogue.session_key)
                        .values(started_at=script.when))
    return dialogue.session_key


def seed(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Drive every script and record how the voice handoffs ended; returns key -> conversation id."""
    bundle = publish(database_url, seed_flows(tmp_path))
    ids = drive_all(database_url, bundle, SCRIPTS)
    record_handoffs(database_url, ids)
    return ids


def drive_all(database_url: str, bundle, scripts) -> dict[str, str]:
    ids = {}
    for script in scripts:
        key = drive(database_url, bundle, script)
        with transaction(database_url) as session:
            ids[script.key] = session.query(Conversation.id).filter(Conversation.session_key == key).scalar()
    return ids


# key -> (department, the result in the engine's words, Twilio's word, seconds waited)
HANDOFFS = {"V1": ("billing", "answered", "bridged", 30), "V2": ("cards", "abandoned", "hangup", 90),
            "V3": ("billing", "left", "leave", 125), "V5": ("general", "busy", "busy", 15)}


def record_handoffs(database_url: str, ids: dict[str, str]) -> None:
    """The voice handoffs' outcome rows, as Twilio's <Enqueue>/<Dial> callbacks leave them."""
    whens = {script.key: script.when for script in SCRIPTS}
    with transaction(database_url) as session:
        for key, (department, result, twilio_status, waited) in HANDOFFS.items():
            put_through = whens[key] + dt.timedelta(minutes=2)
            handoff_started(session, conversation_id=ids[key], call_sid=f"SEED-{key}", department=department,
                            target="queue", at=put_through)
            session.flush()
            handoff_ended(session, call_sid=f"SEED-{key}", result=result, twilio_status=twilio_status,
                          at=put_through + dt.timedelta(seconds=waited), wait_seconds=waited)


# --- Number recoveries, a week after the conversations above ---

RDAY1, RDAY2 = dt.date(2026, 3, 10), dt.date(2026, 3, 11)
ALICE_PHONE = "+447911123456"  # on file for NUMBER
DONT_KNOW = "I don't know my number"
RECOVERY_SCRIPTS = (
    Script("RV1", at(RDAY1, 9), "voice", ("*#", DOB, POSTCODE), then="hang up", caller=ALICE_PHONE, can_text=True),
    Script("RS1", at(RDAY1, 10), "sms", (DONT_KNOW, "Alice Walker", "03/03/1985", POSTCODE), then="go quiet",
           caller="+447700900999", can_text=True),
    Script("RW1", at(RDAY1, 11), "web", (DONT_KNOW, "Alice Walker", "03/03/1985", "E1 6AN"), can_text=True),
    Script("RV2", at(RDAY2, 9), "voice", (DONT_KNOW, "Zed Nobody", "01011990", POSTCODE), then="hang up",
           caller="+447700900999", can_text=True),
    Script("RV3", at(RDAY2, 10), "voice", (DONT_KNOW,), then="hang up", caller="+447700900999", can_text=True),
    Script("RW2", at(RDAY2, 11), "web", (DONT_KNOW,)),
)


def seed_recoveries(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Drive the recovery scripts (on the seed's flows); returns key -> conversation id."""
    bundle = publish(database_url, seed_flows(tmp_path))
    return drive_all(database_url, bundle, RECOVERY_SCRIPTS)


# --- The A/B verdict: recorded events of known outcomes (the engine's own vocabulary) ---

POSTCODE_SPLIT = """    ab_test:
      name: postcode_wording
      share: 0.5
      prompt: "And your postcode?"
"""
QUESTIONS = ("customer_number", "date_of_birth", "postcode")


def ab_flows(tmp_path: Path) -> Path:
    """The shipped flows with two A/B tests: the date of birth's wording and the postcode's."""
    target = tmp_path / "ab-flows"
    shutil.copytree(FLOWS, target)
    text = (target / "default.yaml").read_text()
    for marker, split in (("  date_of_birth:\n    type: ask\n", AB_SPLIT), ("  postcode:\n    type: ask\n", POSTCODE_SPLIT)):
        assert marker in text
        text = text.replace(marker, marker + split, 1)
    (target / "default.yaml").write_text(text)
    spanish = (target / "lang" / "es.yaml").read_text()
    for step, prompt in (("date_of_birth", "Su fecha de nacimiento, por favor."), ("postcode", "¿Y su código postal?")):
        marker = f"\n  {step}:\n"
        assert marker in spanish
        spanish = spanish.replace(marker, f'{marker}    ab_test:\n      prompt: "{prompt}"\n', 1)
    (target / "lang" / "es.yaml").write_text(spanish)
    return target


def record_ab(database_url: str, version: str, *, test: str, step: str, variant: str, count: int, first_try: int,
              no_match: int, verified: int, start: dt.datetime) -> None:
    """`count` voice conversations that heard `variant` of `test` at `step`: the first `first_try` answered
    at once; the next `no_match` were misunderstood once, then answered; the rest never answered
    (no input, two no-matches: attempts ran out, to a colleague). The first `verified` were verified
    and handed to billing; the other answerers failed the check and went to a colleague."""
    assert first_try + no_match <= count and verified <= first_try + no_match
    with transaction(database_url) as session:
        for i in range(count):
            when = start + dt.timedelta(minutes=i)
            conversation = Conversation(channel="voice", session_key=f"AB-{test}-{variant}-{i}", flow_version=version,
                                        status="closed", step="to_general", state={}, turn=5, started_at=when)
            session.add(conversation)
            session.flush()
            events = [("welcome", "started", "voice")]
            events += [(before, "matched", None) for before in QUESTIONS[:QUESTIONS.index(step)]]
            events.append((step, "variant", f"{test}={variant}"))
            answered = i < first_try + no_match
            if i < first_try:
                events.append((step, "matched", None))
            elif answered:
                events += [(step, "no-match", None), (step, "matched", None)]
            else:
                events += [(step, "no-input", None), (step, "no-match", None), (step, "no-match", None),
                           (step, "exhausted", None), ("to_general", "routed", "general")]
            if answered:
                events += [(after, "matched", None) for after in QUESTIONS[QUESTIONS.index(step) + 1:]]
                if i < verified:
                    events += [("check_details", "verified", None), ("main_menu", "matched", None),
                               ("to_department", "routed", "billing")]
                else:
                    events += [("check_details", "failed", "details-mismatch"), ("to_general", "routed", "general")]
            for name, outcome, detail in events:
                session.add(Event(conversation_id=conversation.id, step=name, outcome=outcome, detail=detail, at=when))
