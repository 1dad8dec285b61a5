"""Rate limits kept in the database (a sliding-window log), so they hold across workers without Redis.

Each allowed request is a row; a bucket is over its limit when its rows inside the window reach the
limit. Old rows of the bucket are deleted as it is checked, so the table stays small.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.store.models import RateLimitHit


def client_bucket(address: str | None) -> str:
    # Client addresses are personal data: only a hash is stored, and only for the length of a window.
    digest = hashlib.sha256((address or "unknown").encode("utf-8")).hexdigest()[:32]
    return f"client:{digest}"


def session_bucket(session_id: str) -> str:
    return f"session:{session_id}"


def take(session: Session, *, bucket: str, limit: int, window_seconds: int, now: dt.datetime) -> int | None:
    """Count one request against `bucket`: None when allowed, else the seconds to wait before retrying."""
    since = now - dt.timedelta(seconds=window_seconds)
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
