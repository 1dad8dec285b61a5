"""Two `bot serve` processes on different ports, sharing one PostgreSQL database, behave as one
service (issue 11): as two hosts behind a load balancer, which sends each of a call's requests to
whichever host it likes. Everything goes over HTTP as Twilio sends it, signed for the balancer's
public address; the processes share nothing but the database.

- a call whose turns alternate between the two completes verification and reaches its handoff;
- the lockout stays exact across them: calls parked at the questions on both, answering wrong at
  the same moment, count exactly the policy's failures, and a right answer after the lock is
  refused on both;
- `bot flows publish` is picked up by both without a restart.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter

import httpx2
import pytest
from sqlalchemy import func, select

from bot.engine.bundle import load_bundle
from bot.store.db import transaction
from bot.store.migrate import upgrade
from bot.store.models import FailedAttempt, Lock, VerificationDecision
from tests.conftest import DATA_KEY, DEMO_CSV, FLOWS, TOKEN, WORKFLOW_SID, new_postgres_database
from tests.live_server import BOT, bot_serves
from tests.twilio_phone import TwilioPhone

pytestmark = pytest.mark.postgres

# What Twilio posts to: the balancer's address. Both processes check signatures against it.
PUBLIC = "https://frontdoor.example.com"
ALICE = ("1023456781#", "03031985", "SW1A 1AA")
CAROL = ("3011122238#", "14071990", "M1 1AE")
THRESHOLD = 3  # flows/policy.yaml lockout.threshold


class Balancer:
    """Sends each request for the public address to one of the processes: in turn (round robin), or
    to the one a test names next. Remembers which process served what."""

    def __init__(self, backends: list[str]):
        self.backends = backends
        self.clients = {base: httpx2.Client(timeout=30) for base in backends}
        self.served: list[str] = []
        self.pinned: str | None = None
        self._next = 0
        self._lock = threading.Lock()

    def to(self, backend: str) -> "Balancer":
        """A balancer of its own for one call, every request of which goes to `backend`."""
        pinned = Balancer.__new__(Balancer)
        pinned.__dict__.update(self.__dict__)
        pinned.served = []
        pinned.pinned = backend
        return pinned

    def post(self, url: str, **kwargs):
        assert url.startswith(PUBLIC + "/"), url
        with self._lock:
            backend = self.pinned or self.backends[self._next % len(self.backends)]
            self._next += 1
            self.served.append(backend)
        return self.clients[backend].post(backend + url[len(PUBLIC):], **kwargs)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@pytest.fixture(scope="module")
def shared_database():
    """A PostgreSQL database of this module's own: migrated, the demo customers in, nothing published."""
    with new_postgres_database("bot_two_servers") as url:
        upgrade(url)
        from bot.customers.importer import import_customers

        with transaction(url) as session:
            report = import_customers(session, DEMO_CSV, schemes=load_bundle(FLOWS).schemes, region="GB")
        assert report.ok, report.rejected
        yield url


@pytest.fixture(scope="module")
def servers(shared_database, tmp_path_factory):
    """Two processes started at the same moment on the fresh database (the first start publishes
    FLOWS_DIR: both try, one does); yields them once both say they are ready."""
    workdir = tmp_path_factory.mktemp("two-servers")
    # Through TaskRouter, so a handoff carries its context (verified, locked) as a <Task> to check.
    with bot_serves(shared_database, workdir, 2, PUBLIC_BASE_URL=PUBLIC, DATA_KEY=DATA_KEY,
                    ENVIRONMENT="production", TWILIO_WORKFLOW_SID=WORKFLOW_SID) as processes:
        yield processes
    for served in processes:
        output = served.output()
        assert "Traceback" not in output and "Logging error" not in output, output


@pytest.fixture
def balancer(servers):
    balancer = Balancer([served.base for served in servers])
    yield balancer
    balancer.close()
    for served in servers:
        assert served.process.poll() is None, f"{served.base} exited:\n{served.output()}"


def phone(http, caller: str) -> TwilioPhone:
    return TwilioPhone(http, token=TOKEN, base_url=PUBLIC, from_=caller)


def caller_id() -> str:
    """A caller of its own per test: the velocity limit counts failures per caller."""
    return "+4477009" + str(uuid.uuid4().int % 100000).zfill(5)


def count(url: str, model, *where) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def decisions(url: str, number: str) -> Counter:
    with transaction(url) as session:
        return Counter((r.result, r.reason) for r in session.scalars(select(VerificationDecision).where(
            VerificationDecision.customer_number == number, VerificationDecision.result != "unlocked")))


def live_version(served, expected: str, *, within: float = 15) -> str:
    """The version /readyz reports, asked until it is `expected` or `within` seconds pass: a process may
    take a moment to see a publication, never a restart."""
    deadline = time.monotonic() + within
    while True:
        version = httpx2.get(served.base + "/readyz", timeout=10).json()["flow_version"]
        if version == expected or time.monotonic() > deadline:
            return version
        time.sleep(0.1)


def test_both_processes_start_on_one_fresh_database_and_serve_one_flow_version(servers, shared_database):
    versions = {httpx2.get(served.base + "/readyz", timeout=10).json()["flow_version"] for served in servers}
    assert versions == {load_bundle(FLOWS).version}
    from bot.store import flow_versions

    with transaction(shared_database) as session:
        assert [p.version for p in flow_versions.history(session)] == [load_bundle(FLOWS).version]  # published once


def test_a_call_alternating_between_the_processes_is_verified_and_handed_off(balancer):
    number, born, postcode = ALICE
    call = phone(balancer, caller_id()).dial()
    assert "customer number" in call.last
    call.press(number)
    assert "date of birth" in call.last
    call.press(born)
    call.say(postcode)
    assert "you're verified" in call.last, call.log.said
    call.press("1")
    assert call.handoff is not None and call.handoff.queue == "billing", call.log.said
    assert call.task["verified"] is True and call.task["locked"] is False
    # Every turn went to the other process from the one before, as the balancer sent them.
    assert len(call.responses) >= 5
    assert all(a != b for a, b in zip(balancer.served, balancer.served[1:]))
    assert set(balancer.served) == set(balancer.backends)
    assert call.hang_up() == 204


def test_the_lockout_stays_exact_across_the_processes(balancer, servers, shared_database):
    """Nine calls on one number, parked at the first question on both processes. Seven answer wrong
    at the same moment, on alternate processes; exactly THRESHOLD failures count and lock the number.
    Then the right answers, one call on each process, are refused."""
    number, born, postcode = CAROL
    caller = caller_id()
    first, second = (served.base for served in servers)
    wrong = [phone(balancer.to(first if i % 2 == 0 else second), caller).dial() for i in range(7)]
    right = [phone(balancer.to(base), caller).dial() for base in (first, second)]
    for call in wrong + right:
        call.press(number)
        assert "date of birth" in call.last, call.log.said
    for call in wrong:
        call.press("01011970")
    start = threading.Barrier(len(wrong))
    errors: list[BaseException] = []

    def answer(call: TwilioPhone) -> None:
        try:
            start.wait(timeout=30)
            call.say(postcode)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(call,)) for call in wrong]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert count(shared_database, FailedAttempt) == THRESHOLD
    assert count(shared_database, Lock) == 1
    assert decisions(shared_database, number[:-1]) == Counter({
        ("failed", "details-mismatch"): THRESHOLD - 1, ("failed", "locked"): 1,
        ("locked", "locked"): len(wrong) - THRESHOLD})
    for call in right:
        call.press(born)
        call.say(postcode)
        assert "you're verified" not in call.last, call.log.said
        assert call.task["verified"] is False and call.task["locked"] is True
    assert {call.http.pinned for call in right} == {first, second}
    assert count(shared_database, FailedAttempt) == THRESHOLD  # the refusals count nothing more
    assert decisions(shared_database, number[:-1])[("locked", "locked")] == len(wrong) - THRESHOLD + len(right)
    assert decisions(shared_database, number[:-1])[("verified", None)] == 0


def test_a_publish_is_picked_up_by_both_processes_without_a_restart(balancer, servers, shared_database, tmp_path):
    before = load_bundle(FLOWS).version
    changed = tmp_path / "flows"
    shutil.copytree(FLOWS, changed)
    default = changed / "default.yaml"
    old = "Welcome to Northwind. I can check your details and put you through to the right team."
    assert old in default.read_text()
    default.write_text(default.read_text().replace(
        old, "Welcome to Northwind, now on every server. I can check your details and put you through to the right team."))
    environment = {**os.environ, "DATABASE_URL": shared_database, "DATA_KEY": DATA_KEY, "TWILIO_AUTH_TOKEN": TOKEN}
    published = subprocess.run([str(BOT), "flows", "publish", str(changed), "--message", "greeting"],
                               env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert published.returncode == 0, published.stdout + published.stderr
    after = load_bundle(changed).version
    assert after != before
    try:
        for served in servers:
            assert live_version(served, after) == after  # neither process restarted
            call = phone(balancer.to(served.base), caller_id()).dial()
            assert "now on every server" in call.last, (served.base, call.log.said)
            call.hang_up()
    finally:
        rolled = subprocess.run([str(BOT), "flows", "rollback", "--message", "test over"], env=environment,
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    for served in servers:
        assert live_version(served, before) == before
        assert "now on every server" not in phone(balancer.to(served.base), caller_id()).dial().last
