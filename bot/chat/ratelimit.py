"""Rate limits kept in the database (a sliding-window log), so they hold across workers without Redis.

Each allowed request is a row; a bucket is over its limit when its rows inside the window reach the
limit. Old rows of the bucket are deleted as it is checked, so the table stays small. Counting and
inserting happen under the bucket's lock (an advisory lock on PostgreSQL; SQLite's transaction holds
the write lock), so a burst of simultaneous requests lets exactly the limit through.
"""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import keys
from bot.store.db import serialise
from bot.store.models import RateLimitHit


def client_bucket(address: str | None) -> str:
    # Client addresses are personal data: only a keyed hash is stored, and only for the length of a window.
    return "client:" + keys.current().digest(address or "unknown", purpose="client-address")


def session_bucket(session_id: str) -> str:
    return f"session:{session_id}"


def take(session: Session, *, bucket: str, limit: int, window_seconds: int, now: dt.datetime) -> int | None:
    """Count one request against `bucket`: None when allowed, else the seconds to wait before retrying."""
    since = now - dt.timedelta(seconds=window_seconds)
    serialise(session, ("rate-limit", bucket))
    session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.at <= since))
    count, oldest = session.execute(
        select(func.count(), func.min(RateLimitHit.at)).where(RateLimitHit.bucket == bucket, RateLimitHit.at > since)
    ).one()
    if count >= limit:
        oldest = oldest.replace(tzinfo=dt.timezone.utc) if oldest.tzinfo is None else oldest
        return max(1, math.ceil((oldest - since).total_seconds()))
    session.add(RateLimitHit(bucket=bucket, at=now))
    session.flush()
    return None


def prune(session: Session, *, now: dt.datetime, window_seconds: int) -> int:
    """Delete every bucket's hits older than the window: sessions that went away leave none behind."""
    since = now - dt.timedelta(seconds=window_seconds)
    return session.execute(delete(RateLimitHit).where(RateLimitHit.at <= since)).rowcount or 0
