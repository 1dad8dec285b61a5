"""What operators graph and alert on, in Prometheus' text format: every metric is defined here, with
the small functions that record them.

Under `bot serve` each worker process writes its values to files in PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode), so a scrape of any worker reports the sum over all of
them. Outside `bot serve` (tests, the `bot` command) values are kept in memory.
"""
from __future__ import annotations

import functools
import logging
import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter("frontdoor_turns", "Turns run by the engine (a webhook or chat message answered).",
                ["channel"], registry=REGISTRY)
TURN_SECONDS = Histogram("frontdoor_turn_seconds", "Time to run one turn (engine and store), in seconds.",
                         ["channel"], registry=REGISTRY,
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0))
TURN_ERRORS = Counter("frontdoor_turn_errors", "Turns that failed and were answered with the apology.",
                      ["channel"], registry=REGISTRY)
CONVERSATIONS = Counter("frontdoor_conversations", "Conversations that finished, by how: handoff or ended.",
                        ["channel", "outcome"], registry=REGISTRY)
VERIFICATIONS = Counter("frontdoor_verifications", "Verification decisions: verified, failed or locked.",
                        ["outcome"], registry=REGISTRY)
HANDOFFS = Counter("frontdoor_handoffs", "Callers and chats handed to a department.",
                   ["department", "channel"], registry=REGISTRY)


def multiprocess() -> bool:
    """Values live in files shared by the workers (prometheus-client decided this when it was imported)."""
    return values.ValueClass is not values.MutexValue


@functools.cache
def _per_channel(channel: str):
    """A channel's turn counter and timer: labels() takes a lock and checks its arguments on every call,
    and every turn records both (channels are a handful of fixed names)."""
    return TURNS.labels(channel), TURN_SECONDS.labels(channel)


def record_turn(channel: str, seconds: float | None, *, handoff: str | None = None, ended: bool = False) -> None:
    """One turn run: counted and timed; `handoff` is the department it handed over to, if any."""
    turns, timer = _per_channel(channel)
    turns.inc()
    if seconds is not None:
        timer.observe(seconds)
    if handoff is not None:
        HANDOFFS.labels(handoff, channel).inc()
        CONVERSATIONS.labels(channel, "handoff").inc()
    elif ended:
        CONVERSATIONS.labels(channel, "ended").inc()


def record_turn_error(channel: str) -> None:
    TURN_ERRORS.labels(channel).inc()


def record_verification(outcome: str) -> None:
    VERIFICATIONS.labels(outcome).inc()


class DeadLetters:
    """frontdoor_desk_dead_letters, read from the database at each scrape: the same on every worker and host."""

    def __init__(self, database_url: str):
        self.database_url = database_url

    def collect(self):
        from sqlalchemy import func, select

        from bot.store.db import transaction
        from bot.store.models import DeskDelivery

        try:
            with transaction(self.database_url) as session:
                dead = session.scalar(select(func.count()).select_from(DeskDelivery).where(DeskDelivery.status == "dead"))
        except Exception:  # the other metrics are still worth a scrape while the database is away
            log.warning("metrics: could not count desk dead letters", exc_info=True)
            return
        yield GaugeMetricFamily("frontdoor_desk_dead_letters",
                                "Chat handoffs the agent desk never took (`bot desk resend` sends them again).",
                                value=dead)

    def describe(self):
        return []


def exposition(database_url: str | None = None) -> bytes:
    """Every metric in Prometheus' text format: summed over the workers in multiprocess mode."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=os.environ[MULTIPROC_ENV])
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if database_url is not None:
        extra = CollectorRegistry()
        extra.register(DeadLetters(database_url))
        text += generate_latest(extra)
    return text
