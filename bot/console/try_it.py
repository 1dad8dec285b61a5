"""Try it: a supervisor talks to flows callers do not hear yet (the draft in FLOWS_DIR, or any
published version), through the engine path `bot simulate` uses (bot.dialogue.Dialogue on a bare
FlowBundle) and the server's database, kept apart from real callers:

- session keys are `tryit:<user>:<id>` (PRACTICE_PREFIX), which no report counts;
- failed checks count against the supervisor, never the customer, and nothing reaches a customer
  or a colleague (bot.console.try_it_services): each such moment is a note in the transcript;
- the transcript is stored as agents get chat transcripts (answers to verification questions
  withheld) and, beyond that, masked as logs are: numbers by their last four, dates and postcodes
  removed, so no page shows them.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat import transcript
from bot.chat.render import chat_text
from bot.chat.service import clean
from bot.console.try_it_services import NotedCallbacks, PracticeCodes, TryItLedger
from bot.dialogue import Dialogue, Renderers
from bot.engine.bundle import FlowBundle
from bot.engine.io import Reply
from bot.logging_setup import mask, redact
from bot.records import State
from bot.simulator import waiting_for
from bot.store.conversations import PRACTICE_PREFIX, find_conversation
from bot.store.db import transaction
from bot.store.models import ChatMessage, Conversation, utcnow
from bot.turns import Conversations, TurnRecord

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# A chat needs a sender; by default one from Ofcom's range for drama, which no real phone has.
PRACTICE_SENDER = "+447700900000"
WITHHELD = transcript.WITHHELD


def new_token() -> str:
    return uuid.uuid4().hex


def key_for(username: str, token: str) -> str | None:
    """The session key of one of this supervisor's Try-it conversations; None for a malformed token."""
    return f"{PRACTICE_PREFIX}{username}:{token}" if _TOKEN.match(token or "") else None


def _flow_words(bundle: FlowBundle) -> list[str]:
    """What the flow's own wording holds that masking would hide (an example postcode, a number to
    call), longest first: the bot's words are shown as the supervisor wrote them."""
    if bundle.version not in _FLOW_WORDS:
        found: set[str] = set()
        for line in "\n".join(bundle.files.values()).splitlines():
            masked = redact(line)
            if masked == line:
                continue
            before, after = line.split(), masked.split()
            for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
                if tag in ("replace", "delete"):
                    found.add(" ".join(before[i1:i2]).strip(".,;:!?\"'()"))
        _FLOW_WORDS[bundle.version] = sorted((w for w in found if w), key=len, reverse=True)
    return _FLOW_WORDS[bundle.version]


_FLOW_WORDS: dict[str, list[str]] = {}


def mask_wording(text: str, bundle: FlowBundle | None) -> str:
    """The bot's words masked as logs are (a number read back, a date), except what the flow's own
    wording says."""
    if bundle is None:
        return redact(text)
    kept: list[str] = []
    for words in _flow_words(bundle):
        if words in text:
            kept.append(words)
            text = text.replace(words, chr(0xE000 + len(kept) - 1))
    text = redact(text)
    for index, words in enumerate(kept):
        text = text.replace(chr(0xE000 + index), words)
    return text


class TryItConversations(Conversations):
    """Conversations on one bundle whose services keep the conversation from reaching anyone, and
    whose turns are written to a masked transcript in the turn's own transaction."""

    def __init__(self, database_url: str, bundle: FlowBundle, *, supervisor: str,
                 clock: Callable[[], dt.datetime] = utcnow):
        super().__init__(database_url, bundle, clock=clock)
        self.supervisor = supervisor
        self.notes: list[str] = []

    def services(self, session, bundle: FlowBundle, conversation: Conversation, channel: str):
        lengths = [step.get("digits") for step in bundle.flow.steps.values() if step.type == "one_time_code"]
        return replace(super().services(session, bundle, conversation, channel),
                       ledger=TryItLedger(session, bundle.lockout, supervisor=self.supervisor, channel=channel,
                                          conversation_id=conversation.id, clock=self.clock,
                                          velocity=bundle.policy.velocity),
                       callbacks=NotedCallbacks(self.notes), otp=PracticeCodes(self.notes, lengths))

    def handle(self, inp, *, turn, render, client_address=None, after=None):
        self.notes.clear()

        def record(done: TurnRecord):
            self._record(done)
            return after(done) if after else None

        return super().handle(inp, turn=turn, render=render, client_address=client_address, after=record)

    def _record(self, done: TurnRecord) -> None:
        add = partial(transcript.add, done.session, conversation_id=done.conversation.id, at=self.clock())
        said = done.input.value.strip()
        if done.input.kind == "silence":
            add(sender="note", text="(silence: nothing said or pressed)", withheld=False)
        elif said:
            add(sender="customer", text=redact(said), withheld=transcript.asks_for_answer(done.bundle, done.before))
        reply, voice = done.reply, done.input.channel == "voice"
        add(sender="bot", text=mask_wording(reply.text if voice else chat_text(reply), done.bundle),
            withheld=transcript.reads_back_answer(done.bundle, done.state.to_dict()))
        for note in [*self.notes, *_what_happens(reply, voice=voice, bundle=done.bundle)]:
            add(sender="note", text=note, withheld=False)
        if reply.expect is not None and not (reply.handoff or reply.end):
            # The step each reply came from, and on a call what it waits for (as `bot simulate` says it).
            waiting = f"{done.state.step}: {waiting_for(reply.expect, 'Say nothing')}" if voice else done.state.step
            add(sender="step", text=waiting, withheld=False)
            if reply.expect.options and not voice:
                add(sender="options", text="\n".join(f"{o.key}\t{o.label}" for o in reply.expect.options),
                    withheld=False)


def _what_happens(reply: Reply, *, voice: bool, bundle: FlowBundle) -> list[str]:
    """What a real call or chat would do next that Try it does not."""
    notes = []
    if reply.text_message is not None:
        notes.append(f"A text message would now go to {mask(reply.text_message.to)}: "
                     f"\u201c{mask_wording(reply.text_message.body, bundle)}\u201d. Try it sends nothing.")
    if reply.record is not None:
        notes.append(f"The caller would now leave a voicemail for {reply.record.department}; Try it records nothing.")
    if reply.handoff is not None:
        handoff, context = reply.handoff, reply.handoff.context
        notes.append(f"Handed over to {handoff.department} ({handoff.target.kind} {handoff.target.address}): "
                     f"verified {_yes(context.get('verified'))}, locked {_yes(context.get('locked'))}, "
                     f"reason {context.get('reason')}. Try it puts nobody through"
                     + ("." if voice else " and posts nothing to the agent desk."))
    elif reply.end:
        notes.append("The call would now hang up." if voice else "The conversation has ended.")
    return notes


def _yes(value) -> str:
    return "yes" if value else "no"


# -- a conversation, turn by turn ------------------------------------------------------------------

def _dialogue(conversations: TryItConversations, *, key: str, channel: str, caller: str | None,
              workflow_sid: str | None, renderers: Renderers, **more) -> Dialogue:
    return Dialogue(conversations, channel=channel, renderers=renderers, caller=caller, session_key=key,
                    workflow_sid=workflow_sid, **more)


def start(conversations: TryItConversations, *, key: str, channel: str, caller: str | None, language: str | None,
          variants: dict[str, str], renderers: Renderers, first_message: str = "",
          workflow_sid: str | None = None) -> None:
    """Answer the call, open the chat, or (SMS, WhatsApp) deliver the customer's first message."""
    if channel != "voice" and not caller:
        caller = PRACTICE_SENDER
    dialogue = _dialogue(conversations, key=key, channel=channel, caller=caller, workflow_sid=workflow_sid,
                         renderers=renderers, language=language, variants=variants)
    dialogue.start(clean(first_message) if dialogue.opened_by_message else "")


def send(conversations: TryItConversations, *, key: str, text: str | None, turn: int, renderers: Renderers,
         workflow_sid: str | None = None) -> bool:
    """One message (None: silence, on a call). False when the form was stale (already answered or
    the conversation ended): nothing is sent twice."""
    with transaction(conversations.database_url) as session:
        row = find_conversation(session, key=key)
        if row is None or row.status == "closed" or row.turn != turn:
            return False
        channel, caller = row.channel, row.caller
    dialogue = _dialogue(conversations, key=key, channel=channel, caller=caller, workflow_sid=workflow_sid,
                         renderers=renderers)
    dialogue.turn = turn  # a call's stale request (a second click) gets the stored reply, and changes nothing
    result = dialogue.silence() if text is None else dialogue.send(clean(text))
    return not result.replayed


def hang_up(database_url: str, conversations: Conversations, *, key: str) -> bool:
    """Hang up (or, in a chat, walk away): closed as a caller's hang-up is, with a note."""
    with transaction(database_url) as session:
        row = find_conversation(session, key=key)
        if row is None or row.status == "closed":
            return False
        conversation_id, voice = row.id, row.channel == "voice"
    conversations.hang_up(key, status="completed")
    with transaction(database_url) as session:
        transcript.add(session, conversation_id=conversation_id, sender="note", at=utcnow(), withheld=False,
                       text="You hung up." if voice else "You left the chat.")
    return True


# -- reading one back ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    sender: str  # customer | bot | note | step | options
    text: str

    @property
    def withheld(self) -> bool:
        return self.text == WITHHELD

    @property
    def options(self) -> list[tuple[str, str]]:
        return [tuple(line.split("\t", 1)) for line in self.text.splitlines() if "\t" in line]


@dataclass(frozen=True)
class TryItView:
    key: str
    channel: str
    version: str
    caller: str | None  # masked
    started_at: dt.datetime
    closed: bool
    turn: int
    step: str | None
    language: str
    variants: dict[str, str]
    entries: list[Entry]
    # The last reply as Twilio or the widget gets it (None when it reads an answer back): show it
    # only through rendered(), which masks it.
    body: str | None

    def rendered(self, bundle: FlowBundle | None) -> str | None:
        return mask_wording(self.body, bundle) if self.body else None

    @property
    def options(self) -> list[tuple[str, str]]:
        """Quick replies the last message offers (chat), while it is still the last."""
        last = next((e for e in reversed(self.entries) if e.sender not in ("step", "note")), None)
        return last.options if last is not None and last.sender == "options" and not self.closed else []


def view(session: Session, *, key: str) -> TryItView | None:
    row = session.scalar(select(Conversation).where(Conversation.session_key == key))
    if row is None:
        return None
    entries = [Entry(m.sender, m.text) for m in session.scalars(
        select(ChatMessage).where(ChatMessage.conversation_id == row.id).order_by(ChatMessage.id))]
    state = State.from_dict(row.state or {})
    last_bot = next((e for e in reversed(entries) if e.sender == "bot"), None)
    body = row.last_response if row.last_response and last_bot and not last_bot.withheld else None
    return TryItView(key=key, channel=row.channel, version=row.flow_version,
                     caller=mask(row.caller) if row.caller else None, started_at=row.started_at,
                     closed=row.status == "closed", turn=row.turn, step=row.step, language=state.language,
                     variants=dict(state.variants), entries=entries, body=body)


def recent(session: Session, *, username: str, limit: int = 5) -> list[Conversation]:
    """This supervisor's latest Try-it conversations, newest first."""
    return list(session.scalars(select(Conversation).where(
        Conversation.session_key.startswith(f"{PRACTICE_PREFIX}{username}:", autoescape=True))
        .order_by(Conversation.started_at.desc()).limit(limit)))


class DraftBundles:
    """The drafts Try-it conversations started on, by version, so a conversation finishes on the draft
    it started with after the folder changes (per process, the latest few; a restart forgets them)."""

    def __init__(self, limit: int = 20):
        self.limit = limit
        self._bundles: OrderedDict[str, FlowBundle] = OrderedDict()
        self._lock = threading.Lock()  # routes run in the thread pool, several at once

    def remember(self, bundle: FlowBundle) -> FlowBundle:
        with self._lock:
            self._bundles[bundle.version] = bundle
            self._bundles.move_to_end(bundle.version)
            while len(self._bundles) > self.limit:
                self._bundles.popitem(last=False)
        return bundle

    def get(self, version: str) -> FlowBundle | None:
        with self._lock:
            return self._bundles.get(version)
