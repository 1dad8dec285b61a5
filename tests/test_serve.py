"""`bot serve` as deployed: worker processes, their logs, and their metrics adding up."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx2
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from bot.cli import app
from tests.live_server import bot_serve
from tests.twilio_phone import TwilioPhone
from tests.conftest import TOKEN

METRICS_TOKEN = "metrics-token-0123456789"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_several_workers_on_sqlite_are_refused_with_a_reason(cli_env):
    from bot.store.migrate import upgrade

    upgrade(cli_env)
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "SQLite serves one process" in result.output and "PostgreSQL" in result.output


def test_the_metrics_of_two_processes_add_up(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    record = ("import sys; from bot import metrics\n"
              "for _ in range(int(sys.argv[1])): metrics.record_turn('voice', 0.02, handoff='billing')\n"
              "metrics.record_verification('verified')\n"
              "assert metrics.multiprocess()\n")
    workers = [subprocess.Popen([sys.executable, "-c", record, str(n)], env=env) for n in (3, 5)]
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    scraped = subprocess.run([sys.executable, "-c", "from bot import metrics; print(metrics.exposition().decode())"],
                             env=env, capture_output=True, text=True, check=True).stdout
    found = samples(scraped)
    assert found[("frontdoor_turns_total", (("channel", "voice"),))] == 8
    assert found[("frontdoor_handoffs_total", (("channel", "voice"), ("department", "billing")))] == 8
    assert found[("frontdoor_verifications_total", (("outcome", "verified"),))] == 2
    assert found[("frontdoor_turn_seconds_count", (("channel", "voice"),))] == 8
    # What a Prometheus library would read from the same folder agrees.
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("frontdoor_turns_total", {"channel": "voice"}) == 8


def call(http: httpx2.Client, base: str) -> TwilioPhone:
    phone = TwilioPhone(http, token=TOKEN, base_url=base)
    phone.dial().press("1023456781#").press("03031985").say("SW1A 1AA").press("1")
    # A plain named queue (no TWILIO_WORKFLOW_SID) carries no <Task>; the metrics below count the verifications.
    assert phone.handoff is not None and phone.handoff.queue == "billing", phone.log.said
    return phone


def test_bot_serve_completes_calls_with_json_logs_and_metrics(customers, tmp_path):
    # SQLite: one process. PostgreSQL: two workers behind one port, as deployed.
    workers = 1 if customers.startswith("sqlite") else 2
    with bot_serve(customers, tmp_path, workers=workers, LOG_FORMAT="json", METRICS_TOKEN=METRICS_TOKEN) as (base, log):
        turns = 0
        for _ in range(6):
            # A connection per call, so the kernel spreads the calls over the workers.
            with httpx2.Client(timeout=30) as http:
                turns += len(call(http, base).responses)
        assert httpx2.get(base + "/metrics", timeout=10).status_code == 401
        scraped = httpx2.get(base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10)
        assert httpx2.get(base + "/readyz", timeout=10).json()["status"] == "ready"
    found = samples(scraped.text)
    assert found[("frontdoor_turns_total", (("channel", "voice"),))] == turns
    assert found[("frontdoor_handoffs_total", (("channel", "voice"), ("department", "billing")))] == 6
    assert found[("frontdoor_verifications_total", (("outcome", "verified"),))] == 6
    output = log.read_text()
    assert "Logging error" not in output and "Traceback" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(lines) == len(output.splitlines()), output  # every line is JSON
    started = {line["process"] for line in lines if line["message"].startswith("Started server process")}
    assert len(started) == workers
    turn_lines = [line for line in lines if line["logger"] == "bot.turns"]
    assert len(turn_lines) == turns
    assert all(line["call_sid"].startswith("CA...") and len(line["call_sid"]) == 11 for line in turn_lines)
    assert all(line["message"].startswith(f"conversation {line['conversation_id']} ") for line in turn_lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any('"POST /twilio/voice/turn?t=' in line["message"] for line in access)
    for secret in ("1023456781", "03031985", "SW1A"):
        assert secret not in output


@pytest.mark.parametrize("config_class, nodelay", [("uvicorn", 0), ("ours", 1)])
def test_connections_to_several_workers_turn_nagle_off(config_class, nodelay):
    """uvicorn's own shared socket leaves Nagle on for accepted connections (each response then waits
    ~40 ms for a delayed ACK); the one `bot serve --workers N` binds does not."""
    import asyncio
    import socket

    import uvicorn

    from bot.cli.uvicorn_workers import NoDelayConfig

    cls = uvicorn.Config if config_class == "uvicorn" else NoDelayConfig
    sock = cls("webhooks.app:create_app", factory=True, workers=2, host="127.0.0.1", port=0).bind_socket()
    seen: list[int] = []

    async def main():
        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Protocol, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen and bool(seen[0]) == bool(nodelay)
