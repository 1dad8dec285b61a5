"""Tables. Nothing here holds a caller's answers readable: verification results are booleans, and the
conversation state (a reading waiting for a yes/no), the stored reply (which may read one back) and
PIN hashes are sealed with the data key (`Sealed`, bot.keys) before they reach the database."""
from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC everywhere, returned aware: SQLite has no time zones, PostgreSQL must agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=dt.timezone.utc) if value is not None else None


class Sealed(TypeDecorator):
    """Text sealed with the process's data key (AES-GCM, bound to `purpose`) on the way in, opened on the
    way out. A clear value stored before sealing existed is read as it is, and sealed when next written
    (or by `bot data rekey`)."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str):
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        from bot import keys

        return None if value is None else keys.current().seal(self.encode(value), purpose=self.purpose)

    def process_result_value(self, value, dialect):
        from bot import keys

        if value is None:
            return None
        if isinstance(value, str) and keys.is_sealed(value):
            return self.decode(keys.current().open(value, purpose=self.purpose))
        return self.legacy(value)

    def encode(self, value) -> str:
        return value

    def decode(self, text: str):
        return text

    def legacy(self, value):
        return value


class SealedJSON(Sealed):
    cache_ok = True

    def encode(self, value) -> str:
        return json.dumps(value, separators=(",", ":"))

    def decode(self, text: str):
        return json.loads(text)

    def legacy(self, value):
        return json.loads(value) if isinstance(value, str) else value


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict: JSON, list: JSON}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    postcode: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    segment: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The digits a keypad caller presses for the number (MB1234567O -> 6212345676): letters
    # typed on 2-9 are looked up here, since only the directory knows which spelling exists.
    keypad_form: Mapped[str | None] = mapped_column(String(40), index=True)
    # The PIN as a slow salted hash (scrypt$N$r$p$salt$hash), sealed with the data key (a pepper: a
    # stolen table alone cannot be searched through the 10^4 to 10^8 PINs); the PIN is never stored.
    pin_hash: Mapped[str | None] = mapped_column(Sealed("customers.pin_hash"))


class Conversation(Base):
    """One per call (key = CallSid) or chat conversation; its state is loaded and saved every turn."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16))
    session_key: Mapped[str] = mapped_column(String(200), unique=True)
    caller: Mapped[str | None] = mapped_column(String(64))
    flow_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | closed
    step: Mapped[str | None] = mapped_column(String(80))
    # Sealed: a reading waiting for the caller's yes/no is an answer.
    state: Mapped[dict] = mapped_column(SealedJSON("conversations.state"), default=dict)
    turn: Mapped[int] = mapped_column(Integer, default=0)
    # The last reply, rendered, so a retried webhook gets exactly the same answer; sealed, as it may read one back.
    last_response: Mapped[str | None] = mapped_column(Sealed("conversations.last_response"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(40))
    hung_up_at_step: Mapped[str | None] = mapped_column(String(80))
    # Whom velocity limits count against: a hashed caller ID or client address (bot.verification.velocity).
    origin: Mapped[str | None] = mapped_column(String(64))


class Event(Base):
    """One per turn outcome: the funnel supervisors read. Never holds what the caller said."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    step: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FailedAttempt(Base):
    """A failed verification against a customer number, known or not, from any channel."""

    __tablename__ = "failed_attempts"
    __table_args__ = (Index("ix_failed_attempts_number_at", "customer_number", "at"),
                      Index("ix_failed_attempts_origin_at", "origin", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The hashed caller ID or client address it came from: velocity limits count these.
    origin: Mapped[str | None] = mapped_column(String(64))


class Lock(Base):
    __tablename__ = "locks"
    __table_args__ = (Index("ix_locks_number", "customer_number", "locked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(40))
    locked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    unlocked_at: Mapped[dt.datetime | None] = mapped_column()
    unlocked_by: Mapped[str | None] = mapped_column(String(80))
    unlock_reason: Mapped[str | None] = mapped_column(String(200))


class VerificationDecision(Base):
    """Append-only audit of every verification decision: which factors were asked and passed, never the answers."""

    __tablename__ = "verification_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16))  # voice | sms | whatsapp | web | cli
    conversation_id: Mapped[str | None] = mapped_column(String(32))  # None for a decision made at the CLI
    customer_number: Mapped[str | None] = mapped_column(String(40))
    factors_asked: Mapped[list] = mapped_column(default=list)
    factors_passed: Mapped[list] = mapped_column(default=list)
    result: Mapped[str] = mapped_column(String(16))  # verified | failed | locked | unlocked
    reason: Mapped[str | None] = mapped_column(String(200))
    flow_version: Mapped[str | None] = mapped_column(String(64))
    # The channel's own id for the conversation (CallSid, chat key), to match Twilio's logs.
    session_key: Mapped[str | None] = mapped_column(String(200))
    # Who decided at the CLI (an unlock); None for the bot.
    actor: Mapped[str | None] = mapped_column(String(80))



class ChatThread(Base):
    """An SMS or WhatsApp pair (customer's address, our number) and the conversation it is in now.

    One row per pair; when the conversation has been idle too long it points at a new one."""

    __tablename__ = "chat_threads"
    __table_args__ = (UniqueConstraint("customer_address", "our_address", name="uq_chat_threads_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    customer_address: Mapped[str] = mapped_column(String(80))
    our_address: Mapped[str] = mapped_column(String(80))
    conversation_key: Mapped[str] = mapped_column(String(200))
    # Twilio may deliver the same message twice: the second gets the stored reply, not a second turn.
    last_message_sid: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProcessedMessage(Base):
    """Every SMS or WhatsApp message taken, by its MessageSid (unique): a message sent again, by Twilio
    or by someone replaying a captured request, is never processed twice."""

    __tablename__ = "processed_messages"
    __table_args__ = (Index("ix_processed_messages_at", "at"),)

    message_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChatSession(Base):
    """A web chat. Its bearer token is kept only as a SHA-256 hash, so a database leak does not leak sessions."""

    __tablename__ = "chat_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    conversation_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChatMessage(Base):
    """The chat transcript an agent receives. Answers to verification questions are stored withheld."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(16))  # customer | bot
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RateLimitHit(Base):
    """One request counted against a bucket (a web chat session, a hashed client address); rows expire with the window."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_at", "bucket", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeskDelivery(Base):
    """A chat handoff for the agent desk: pending, delivered, or dead (the dead letter, kept for a resend)."""

    __tablename__ = "desk_deliveries"
    __table_args__ = (Index("ix_desk_deliveries_status", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(String(32))
    # The exact JSON bytes that are signed and sent, so every retry sends the same body.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column()


class IssuedNumber(Base):
    """A customer number handed out by `bot numbers issue`. Rows are never deleted, so a number,
    closed or not, can never be issued twice."""

    __tablename__ = "issued_numbers"
    __table_args__ = (Index("ix_issued_numbers_prefix", "scheme", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    scheme: Mapped[str] = mapped_column(String(40))
    prefix: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | suspended | closed
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NumberStatusChange(Base):
    """Append-only audit of customer number status changes: who, when, why. Never personal data."""

    __tablename__ = "number_status_changes"
    __table_args__ = (Index("ix_number_status_changes_number", "number", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(String(20))
    new: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200))
    changed_by: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FlowVersion(Base):
    """The flow files exactly as validated, under their content hash: what a conversation ran on."""

    __tablename__ = "flow_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[dict] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FlowPublication(Base):
    """Append-only history of what went live: publish pushes a version, rollback pops one."""

    __tablename__ = "flow_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(ForeignKey("flow_versions.version"))
    action: Mapped[str] = mapped_column(String(16))  # publish | rollback
    by: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    message: Mapped[str | None] = mapped_column(Text)
    # The folder's conversation tests when it was published; None when they were not run.
    tests_passed: Mapped[int | None] = mapped_column(Integer)
    tests_failed: Mapped[int | None] = mapped_column(Integer)


class CallbackRequest(Base):
    """A caller who reached a closed department and asked to be called back; agents work this list."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(80), index=True)
    phone: Mapped[str] = mapped_column(String(40))
    context: Mapped[dict] = mapped_column(default=dict)
    # A work queue (bot.console.work_queue): new -> claimed (by whom) -> done (with an outcome).
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | claimed | done
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    done_at: Mapped[dt.datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(40))


class Voicemail(Base):
    """A message left for a closed department: Twilio keeps the audio, we keep where it is."""

    __tablename__ = "voicemails"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(80), index=True)
    recording_url: Mapped[str] = mapped_column(String(500))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    context: Mapped[dict] = mapped_column(default=dict)
    left_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | claimed | done
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    done_at: Mapped[dt.datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(40))


class ConsoleUser(Base):
    """A supervisor or admin of the web console. The password is kept only as an Argon2id hash."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # supervisor | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column()


class ConsoleSession(Base):
    """A signed-in browser. Only the SHA-256 of its cookie is stored, so a database leak leaks no session."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()


class ConsoleLoginFailure(Base):
    """A failed console login, counted per account and per client address (both stored hashed)."""

    __tablename__ = "console_login_failures"
    __table_args__ = (Index("ix_console_login_failures_account_at", "account", "at"),
                      Index("ix_console_login_failures_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConsoleAuditEntry(Base):
    """Append-only: who did what in the console (or with `bot users`), and when. Never personal data."""

    __tablename__ = "console_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(500))


class HandoffOutcome(Base):
    """How each voice handoff ended, from Twilio's callbacks (the <Dial> or <Enqueue> action): answered,
    abandoned (the caller hung up waiting), left (waited past the department's maximum), or not taken
    (busy, no-answer, failed, canceled); how long the caller waited and talked. Reports read it."""

    __tablename__ = "handoff_outcomes"
    __table_args__ = (Index("ix_handoff_outcomes_started", "started_at"),
                      Index("ix_handoff_outcomes_call", "call_sid", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32))
    call_sid: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(16))  # queue | number | sip
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    # pending until Twilio reports: answered | abandoned | left | busy | no-answer | failed | canceled | redirected
    result: Mapped[str] = mapped_column(String(16), default="pending")
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    # What Twilio said, as it said it (DialCallStatus or QueueResult), for whoever reads the raw logs.
    twilio_status: Mapped[str | None] = mapped_column(String(40))
