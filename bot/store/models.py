"""Tables. Nothing here holds a caller's raw answers: verification results are stored as booleans."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
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
    state: Mapped[dict] = mapped_column(default=dict)
    turn: Mapped[int] = mapped_column(Integer, default=0)
    # The last reply, rendered, so a retried webhook gets exactly the same answer.
    last_response: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(40))
    hung_up_at_step: Mapped[str | None] = mapped_column(String(80))


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
    __table_args__ = (Index("ix_failed_attempts_number_at", "customer_number", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


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
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(32))
    customer_number: Mapped[str | None] = mapped_column(String(40))
    factors_asked: Mapped[list] = mapped_column(default=list)
    factors_passed: Mapped[list] = mapped_column(default=list)
    result: Mapped[str] = mapped_column(String(16))  # verified | failed | locked
    reason: Mapped[str | None] = mapped_column(String(80))
    flow_version: Mapped[str | None] = mapped_column(String(64))

