"""The database rate limit: a sliding window per bucket, with the wait it reports."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.chat.ratelimit import client_bucket, take
from bot.store.db import transaction
from bot.store.models import RateLimitHit

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def hit(url, bucket, at, limit=3):
    with transaction(url) as session:
        return take(session, bucket=bucket, limit=limit, window_seconds=60, now=at)


def test_a_bucket_allows_its_limit_per_window_and_says_how_long_to_wait(database_url):
    assert [hit(database_url, "a", T0 + dt.timedelta(seconds=s)) for s in (0, 10, 20)] == [None, None, None]
    assert hit(database_url, "a", T0 + dt.timedelta(seconds=30)) == 30  # the first hit leaves the window at 60 s
    assert hit(database_url, "b", T0 + dt.timedelta(seconds=30)) is None  # buckets are separate
    assert hit(database_url, "a", T0 + dt.timedelta(seconds=61)) is None  # the first hit has left the window
    assert hit(database_url, "a", T0 + dt.timedelta(seconds=62)) == 8


def test_old_hits_are_deleted_as_the_bucket_is_checked(database_url):
    for s in range(3):
        hit(database_url, "a", T0 + dt.timedelta(seconds=s))
    hit(database_url, "a", T0 + dt.timedelta(minutes=5))
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(RateLimitHit)) == 1


def test_client_addresses_are_hashed():
    bucket = client_bucket("203.0.113.9")
    assert "203.0.113.9" not in bucket and bucket == client_bucket("203.0.113.9") != client_bucket("203.0.113.10")


def test_prune_removes_every_buckets_expired_hits(database_url):
    from bot.chat.ratelimit import prune

    hit(database_url, "gone-session", T0)
    hit(database_url, "live-session", T0 + dt.timedelta(seconds=50))
    with transaction(database_url) as session:
        assert prune(session, now=T0 + dt.timedelta(seconds=60), window_seconds=60) == 1
        assert session.scalars(select(RateLimitHit.bucket)).all() == ["live-session"]


def test_client_addresses_are_keyed_hashes():
    import hashlib

    from bot import keys

    bucket = client_bucket("203.0.113.9")
    # Not a plain hash anyone could recompute from a list of addresses, and another key gives another one.
    assert hashlib.sha256(b"203.0.113.9").hexdigest()[:32] not in bucket
    keys.install(keys.Keyring("another-data-key-0123456789abcdefghijk"))
    assert client_bucket("203.0.113.9") != bucket


def test_thirty_simultaneous_requests_against_a_limit_of_five_let_exactly_five_through(database_url):
    import threading

    from bot.chat.desk import AgentDesk
    from bot.chat.service import ChatService
    from bot.turns import Conversations

    service = ChatService(Conversations(database_url, None), AgentDesk(database_url, url=None, secret=None),
                          idle_minutes=15, clock=lambda: T0)
    start = threading.Barrier(30)
    waits: list = []
    errors: list = []

    def request():
        try:
            start.wait(timeout=30)
            waits.append(service.throttle([("client:burst", 100), ("session:burst", 5)], window_seconds=60))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert waits.count(None) == 5 and len(waits) == 30
    with transaction(database_url) as session:
        counted = dict(session.execute(select(RateLimitHit.bucket, func.count()).group_by(RateLimitHit.bucket)).all())
    # A refused request counts against no bucket: its hits roll back together.
    assert counted == {"session:burst": 5, "client:burst": 5}
