"""Run one turn against the store: load the conversation, run the engine, save state, events and the
rendered reply in one transaction. Channel adapters call this; it knows nothing of HTTP.

Each reply carries a turn number (the adapter puts it in the next request, e.g. the Gather
action URL). A request whose number is not the current one changes nothing: Twilio retrying the
turn just answered gets the stored reply again; anything else (a stale or replayed request, or any
request for a call that has ended) gets a hang-up.

On SQLite the turn's transaction holds the database's write lock from its start (bot.store.db);
on PostgreSQL the conversation row is locked FOR UPDATE and verification decisions take the
number's advisory lock (bot.verification.lockout).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.after_hours_store import SqlCallbacks, save_voicemail
from bot.customers.directory import SqlDirectory
from bot.engine.bundle import FlowBundle
from bot.engine.context import OneTimeCodes, SelfService, Services
from bot.engine.io import Input, OutgoingText, Reply
from bot.engine.runner import hang_up, run_turn, start_state
from bot.flow_registry import FlowRegistry
from bot.records import EventRecord, State
from bot.logging_setup import bind
from bot.store.conversations import (ConversationRow, add_events, advance_turn, close_conversation, find_conversation,
                                     insert_for_turn, load_for_turn, reopen_conversation, save_row)
from bot.store.db import transaction
from bot.store.models import utcnow
from bot.verification.audit import SqlAuditLog
from bot.verification.lockout import SqlLedger
from bot.verification.velocity import origin_for

log = logging.getLogger(__name__)

Renderer = Callable[[Reply, int], str]


@dataclass(frozen=True)
class TurnResult:
    body: str
    reply: Reply | None
    conversation_id: str
    replayed: bool = False
    extra: Any = None  # what the caller's `after` hook returned
    # Texts to send once the reply is on its way: a customer told their number locked.
    texts: tuple[OutgoingText, ...] = ()


@dataclass(frozen=True)
class TurnRecord:
    """What an `after` hook sees, inside the turn's transaction: it commits with the turn or not at all."""

    session: Any
    conversation: ConversationRow
    bundle: FlowBundle
    before: dict  # the state as it was when the input arrived
    state: State
    reply: Reply
    input: Input


def lock_notices(services: Services, bundle: FlowBundle) -> tuple[OutgoingText, ...]:
    """A text to the phone on file for each number this turn locked: the customer hears of it even when
    someone else did the failing. Unknown numbers, and customers without a phone, get none."""
    texts = []
    for number in getattr(services.ledger, "new_locks", ()):
        record = services.directory.find(number)
        if record is not None and record.phone:
            texts.append(OutgoingText(to=record.phone, body=bundle.lockout.notice(number)))
    return tuple(texts)


class Conversations:
    def __init__(self, database_url: str, flows: FlowRegistry | FlowBundle,
                 clock: Callable[[], dt.datetime] = utcnow, otp: OneTimeCodes | None = None,
                 self_service: SelfService | None = None, can_text: bool = False):
        self.database_url = database_url
        # Twilio Verify, when configured (bot.verification.one_time_codes); None otherwise.
        self.otp = otp
        # SELF_SERVICE_URL, when configured (bot.self_service); None otherwise.
        self.self_service = self_service
        # TWILIO_SMS_FROM is set: turns may ask for text messages (a recovered customer number).
        self.can_text = can_text
        # A bare bundle (simulator, flow tests) always runs that bundle; a registry follows publications.
        self.flows = flows
        self.clock = clock

    def bundle_for(self, session, version: str | None = None) -> FlowBundle:
        """The bundle a conversation runs on: the one it started on, else the live one."""
        if isinstance(self.flows, FlowBundle):
            return self.flows
        return self.flows.get(session, version) if version else self.flows.current(session)

    def bundle(self, version: str | None = None) -> FlowBundle:
        with transaction(self.database_url, read_only=True) as session:
            return self.bundle_for(session, version)

    def services(self, session, bundle: FlowBundle, conversation: ConversationRow, channel: str) -> Services:
        return Services(
            directory=SqlDirectory(session),
            ledger=SqlLedger(session, bundle.lockout, channel=channel, conversation_id=conversation.id, clock=self.clock,
                             origin=conversation.origin, velocity=bundle.policy.velocity),
            audit=SqlAuditLog(session, channel=channel, conversation_id=conversation.id,
                              flow_version=conversation.flow_version, session_key=conversation.session_key,
                              clock=self.clock),
            otp=self.otp,
            self_service=self.self_service,
            can_text=self.can_text,
            clock=self.clock,
            callbacks=SqlCallbacks(session, conversation_id=conversation.id, clock=self.clock),
        )

    def record_voicemail(self, key: str, *, recording_url: str, duration_seconds: int | None) -> bool:
        """Keep where Twilio stored a voicemail left for a closed department; False if the call is unknown."""
        with transaction(self.database_url) as session:
            conversation = find_conversation(session, key=key)
            if conversation is None:
                return False
            state = State.from_dict(conversation.state)
            save_voicemail(session, conversation_id=conversation.id, department=state.department or "general",
                           recording_url=recording_url, duration_seconds=duration_seconds,
                           context={"customer_number": state.customer_number, "verified": state.verified,
                                    "language": state.language, "locked": state.locked})
            add_events(session, conversation=conversation, events=[EventRecord(state.step, "voicemail")])
            return True

    def goodbye(self, key: str) -> Reply:
        """What a caller hears after leaving a voicemail: the flow's built-in text, in the
        conversation's language and voice (the live flow's default language for an unknown call)."""
        from bot.engine.steps.after_hours import voicemail_goodbye

        with transaction(self.database_url) as session:
            conversation = find_conversation(session, key=key)
            bundle = self.bundle_for(session, conversation.flow_version if conversation else None)
            state = State.from_dict(conversation.state) if conversation is not None else None
        return voicemail_goodbye(bundle, state)

    def handle(self, inp: Input, *, turn: int | None, render: Renderer, client_address: str | None = None,
               after: Callable[[TurnRecord], Any] | None = None) -> TurnResult:
        """`turn` is the number the previous reply handed out (None: channels without one, e.g. chat).
        `client_address`: a web chat's address, counted (hashed) by the velocity limits.
        `after`: more to record with the turn (a chat transcript), in the same transaction."""
        with transaction(self.database_url) as session:
            conversation = load_for_turn(session, key=inp.session_key)
            if conversation is not None:
                bind(conversation_id=conversation.id)  # this turn's log lines name it
            if conversation is not None and conversation.turn > 0:
                answered = self._answered(conversation, inp, turn, render)
                if answered is not None:
                    return answered
            # A conversation finishes on the flow version it started with, whatever is published meanwhile.
            bundle = self.bundle_for(session, conversation.flow_version if conversation else None)
            new = conversation is None
            if new:
                conversation = self._create(session, inp, bundle, client_address)
                bind(conversation_id=conversation.id)
                new = conversation.turn == 0
                if not new:
                    # Another request (a second first message) started it a moment ago: answer as its turn.
                    answered = self._answered(conversation, inp, turn, render)
                    if answered is not None:
                        return answered
                    bundle = self.bundle_for(session, conversation.flow_version)
            if new:
                state = start_state(bundle, inp)
                inp = Input(**{**inp.__dict__, "kind": "start"})
                before: dict = {}
            else:
                before = conversation.state
                state = State.from_dict(conversation.state)
            services = self.services(session, bundle, conversation, inp.channel)
            reply, events = run_turn(bundle, services, state, inp)
            texts = lock_notices(services, bundle) + tuple(reply.texts)
            body = render(reply, conversation.turn + 1)
            advance_turn(conversation, state=state, response=body)
            if reply.handoff is not None or reply.end:
                close_conversation(session, conversation=conversation,
                                   reason="handoff" if reply.handoff else "ended", hung_up_at=None)
            elif conversation.status == "closed":
                reopen_conversation(session, conversation=conversation)
            # Saved before the `after` hook: what it writes (a transcript, a handoff) may refer to the row.
            save_row(session, conversation=conversation, events=events)
            extra = after(TurnRecord(session, conversation, bundle, before, state, reply, inp)) if after else None
            log.info("conversation %s turn %s at %s: %s", conversation.id, conversation.turn, state.step,
                     ", ".join(e.outcome for e in events))
            return TurnResult(body, reply, conversation.id, extra=extra, texts=texts)

    @staticmethod
    def _create(session, inp: Input, bundle, client_address: str | None) -> ConversationRow:
        """A new conversation, or the one a simultaneous request for the same key has just committed: both
        inserts race on the unique session key (two SMS sent together); the loser's INSERT waits for the
        winner's transaction, inserts nothing, and the loser reads the winner's row (insert_for_turn)."""
        created = insert_for_turn(session, channel=inp.channel, key=inp.session_key, caller=inp.caller,
                                  flow_version=bundle.version,
                                  origin=origin_for(inp.channel, caller=inp.caller, client_address=client_address,
                                                    session_key=inp.session_key))
        if created is not None:
            return created
        conversation = load_for_turn(session, key=inp.session_key)
        if conversation is None:  # the winner's row is gone already (a retention sweep): nothing to answer as
            raise RuntimeError(f"conversation {inp.session_key[-6:]} was taken and is gone")
        return conversation

    @staticmethod
    def _answered(conversation: ConversationRow, inp: Input, turn: int | None, render: Renderer) -> TurnResult | None:
        """A request that is not the conversation's next turn: Twilio retrying the turn just answered gets
        the stored reply again; anything else (a request captured and replayed, for an earlier turn or a
        call that has ended) gets a hang-up, changes nothing and reads nothing back. None: a new turn."""
        retry = (inp.kind == "start" and conversation.turn == 1) or (turn is not None and turn == conversation.turn - 1)
        # How the handoff just made ended (Twilio's <Dial>/<Enqueue> action): the call goes on if no one took it.
        handoff_report = inp.kind == "handoff" and conversation.end_reason == "handoff"
        if ((conversation.status != "closed" or handoff_report) and inp.kind != "start"
                and (turn is None or turn == conversation.turn)):
            return None
        if retry and conversation.last_response is not None:
            log.info("replaying turn %s of conversation %s", conversation.turn, conversation.id)
            return TurnResult(conversation.last_response, None, conversation.id, replayed=True)
        log.warning("refused a stale or replayed request for conversation %s (turn %s, %s)", conversation.id,
                    conversation.turn, "ended" if conversation.status == "closed" else "in progress")
        return TurnResult(render(Reply(end=True), conversation.turn), None, conversation.id, replayed=True)

    def summary(self, key: str) -> str | None:
        """One sentence for the agent's whisper; the number is given by its last four digits only."""
        with transaction(self.database_url, read_only=True) as session:
            conversation = find_conversation(session, key=key)
            if conversation is None:
                return None
            state = State.from_dict(conversation.state)
        who = "Verified caller" if state.verified else "Unverified caller"
        if state.locked:
            who += ", account locked after failed checks"
        number = f", customer number ending {' '.join(state.customer_number[-4:])}" if state.customer_number else ""
        return f"{who}{number}, for {state.department or 'customer services'}."

    def hang_up(self, key: str, *, status: str) -> bool:
        """The caller hung up (or the call failed): close the conversation, note the step. False if unknown."""
        with transaction(self.database_url) as session:
            # Every call ends here (Twilio's status callback): the row path, as a turn's (bot.store.driver_sql).
            conversation = load_for_turn(session, key=key)
            if conversation is None:
                return False
            events = []
            if conversation.status != "closed":
                state = State.from_dict(conversation.state)
                events.append(hang_up(state))
                conversation.state = state.to_dict()
                close_conversation(session, conversation=conversation, reason=status, hung_up_at=state.step)
            # Nobody is left to retry a turn: the stored reply goes too.
            conversation.last_response = None
            save_row(session, conversation=conversation, events=events)
            return True
