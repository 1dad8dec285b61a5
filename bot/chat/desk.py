"""Deliver a chat handoff (transcript + context) to the agent desk: signed, retried with back-off, and
kept as a dead letter when the desk stays down.

The body is signed with HMAC-SHA256 over "<timestamp>.<body>" using AGENT_DESK_SECRET and sent with
    X-FrontDoor-Timestamp: <unix seconds>
    X-FrontDoor-Signature: sha256=<hex digest>
so the desk can refuse forged or replayed posts (see `verify`). Every attempt is written to the
database before the next one, so a restart loses nothing: `bot desk resend` picks up what is left.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.store.db import transaction
from bot.store.models import DeskDelivery, new_id, utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-FrontDoor-Signature"
TIMESTAMP_HEADER = "X-FrontDoor-Timestamp"
DELIVERY_HEADER = "X-FrontDoor-Delivery"
# Longest back-off between two attempts, whatever the base and the attempt number.
MAX_BACKOFF_SECONDS = 300.0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect comes back as the HTTPError it is, instead of being followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class DeskError(Exception):
    """The desk did not take the delivery; `final` when retrying cannot help (it refused the request)."""

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.final = final


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, *, timestamp: str, body: bytes, signature: str, now: float | None = None,
           tolerance_seconds: int = 300) -> bool:
    """What the desk runs on each post: the signature matches and the timestamp is recent (no replays)."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance_seconds and hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def enqueue(session: Session, *, conversation_id: str, payload: dict[str, Any], configured: bool,
            now: dt.datetime) -> DeskDelivery:
    """Store the delivery with the chat turn that caused it; with no desk configured it is a dead letter at once."""
    delivery_id = new_id()
    # The payload carries its own id, so the desk can drop a delivery it already has.
    delivery = DeskDelivery(id=delivery_id, conversation_id=conversation_id, created_at=now, updated_at=now,
                            attempts=0, payload=encode({**payload, "delivery_id": delivery_id}),
                            status="pending" if configured else "dead",
                            last_error=None if configured else "AGENT_DESK_URL is not set")
    session.add(delivery)
    session.flush()
    return delivery


class AgentDesk:
    def __init__(self, database_url: str, *, url: str | None, secret: str | None, attempts: int = 5,
                 backoff_seconds: float = 2.0, timeout_seconds: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], dt.datetime] = utcnow):
        self.database_url = database_url
        self.url = url
        self.secret = secret
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.timeout_seconds = timeout_seconds
        self.sleep = sleep
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> "AgentDesk":
        return cls(settings.database_url, url=settings.agent_desk_url, secret=settings.agent_desk_secret,
                   attempts=settings.agent_desk_attempts, backoff_seconds=settings.agent_desk_backoff_seconds,
                   timeout_seconds=settings.agent_desk_timeout_seconds)

    @property
    def configured(self) -> bool:
        return bool(self.url and self.secret)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): base, 2x base, 4x base ..."""
        return min(self.backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)

    def deliver(self, delivery_id: str) -> str:
        """Post until delivered, refused or out of attempts; returns the final status (delivered | dead | pending)."""
        while True:
            with transaction(self.database_url) as session:
                delivery = session.get(DeskDelivery, delivery_id)
                if delivery is None or delivery.status != "pending":
                    return delivery.status if delivery is not None else "missing"
                if not self.configured:
                    self._mark(delivery, "dead", "AGENT_DESK_URL is not set")
                    return "dead"
                body, attempt = delivery.payload.encode("utf-8"), delivery.attempts + 1
            error = self._post(delivery_id, body)
            with transaction(self.database_url) as session:
                delivery = session.get(DeskDelivery, delivery_id)
                delivery.attempts = attempt
                if error is None:
                    self._mark(delivery, "delivered", None)
                    delivery.delivered_at = self.clock()
                    log.info("handoff %s delivered to the agent desk (attempt %s)", delivery_id, attempt)
                    return "delivered"
                if error.final or attempt >= self.attempts:
                    self._mark(delivery, "dead", str(error))
                    log.error("handoff %s kept as a dead letter after %s attempt(s): %s", delivery_id, attempt, error)
                    return "dead"
                self._mark(delivery, "pending", str(error))
            log.warning("agent desk attempt %s for handoff %s failed (%s); retrying", attempt, delivery_id, error)
            self.sleep(self.backoff(attempt))

    def resend(self) -> dict[str, str]:
        """Try every pending and dead delivery again from the first attempt: after an outage or a restart."""
        with transaction(self.database_url) as session:
            ids = list(session.scalars(select(DeskDelivery.id).where(DeskDelivery.status.in_(("pending", "dead")))
                                       .order_by(DeskDelivery.created_at)))
            for delivery in session.scalars(select(DeskDelivery).where(DeskDelivery.id.in_(ids))):
                delivery.attempts = 0
                delivery.status = "pending"
        return {delivery_id: self.deliver(delivery_id) for delivery_id in ids}

    def _mark(self, delivery: DeskDelivery, status: str, error: str | None) -> None:
        delivery.status = status
        delivery.last_error = error[:200] if error else None
        delivery.updated_at = self.clock()

    def _post(self, delivery_id: str, body: bytes) -> DeskError | None:
        timestamp = str(int(time.time()))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            DELIVERY_HEADER: delivery_id,
            "User-Agent": "verification-front-door",
        })
        try:
            with _OPENER.open(request, timeout=self.timeout_seconds) as response:
                response.read(1024)
            return None
        except urllib.error.HTTPError as exc:
            exc.close()
            if 300 <= exc.code < 400:
                # Following it would turn the POST into a GET without the handoff (301/302/303), or send
                # the signed handoff somewhere not configured: a misconfiguration, said as such.
                where = exc.headers.get("Location", "somewhere else") if exc.headers else "somewhere else"
                return DeskError(f"HTTP {exc.code}: the desk redirected to {where[:80]}; redirects are not followed, "
                                 "set AGENT_DESK_URL to the address that takes the post", final=True)
            # The desk answered but refused: a retry sends the same body, so only timeouts and 5xx are retried.
            return DeskError(f"HTTP {exc.code}", final=exc.code < 500 and exc.code not in (408, 429))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return DeskError(f"unreachable: {type(reason).__name__}")
