"""The web layer's own cost: everything between the ASGI server and the engine, per request, with the
turn itself taken out. The calls benchmarks/load.py makes (signed Twilio Voice webhooks, plus an SMS
per call) go straight into the real app, in this process, one at a time; `Conversations.handle`,
`hang_up` and `ChatService.message` are swapped for functions that hand back replies recorded from
real turns (still rendered to TwiML by the adapters' own renderers, which are web-layer code). What is
left is the middleware, routing, form parsing, the signature check, the thread hop, TwiML, metrics and
logging. The bare app load.py compares against is replayed with the same requests beside it.

The requests are recorded first and then replayed, so the client's own work (signing, parsing the
TwiML it gets back) is not in the figures. CPU time (time.process_time), best of --rounds.

Run: .venv/bin/python benchmarks/web_layer.py [--calls N] [--rounds N] [--profile [--top N]]
"""
from __future__ import annotations

import asyncio
import cProfile
import io
import logging
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _setup import ROOT, data_key, prepare_database  # noqa: E402
from load import TOKEN, WORKFLOW_SID, Caller, Tally, demo_customers  # noqa: E402
from profile_turns import BASE, AsgiConnection  # noqa: E402


class Recording(AsgiConnection):
    """Passes each request to the app and keeps it, to be replayed later."""

    def __init__(self, app, into: list):
        super().__init__(app)
        self.into = into

    async def post(self, path: str, body: bytes, signature: str) -> tuple[int, bytes]:
        self.into.append((path, body, signature))
        return await super().post(path, body, signature)


def sms(rng: random.Random, n: int) -> tuple[str, bytes, str]:
    from twilio.request_validator import RequestValidator

    params = {"MessageSid": f"SM{n:032x}", "AccountSid": "AC" + "0" * 32, "From": f"+4477009{rng.randint(0, 99999):05d}",
              "To": "+442071230000", "Body": "1023456781", "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"}
    path = "/twilio/messaging"
    return path, urlencode(params).encode(), RequestValidator(TOKEN).compute_signature(BASE + path, params)


def stub_turns(app) -> None:
    """Record the replies of a few real calls, then answer every turn with them (the turn's number
    picks the reply, as a real call would get it), rendered by the adapter's own renderer."""
    conversations, chat = app.state.conversations, app.state.chat
    replies: dict = {}
    real_handle, real_message = conversations.handle, chat.message

    def recording(inp, *, turn, render, **kwargs):
        result = real_handle(inp, turn=turn, render=render, **kwargs)
        replies.setdefault(turn, result)
        return result

    def recording_message(**kwargs):
        result = real_message(**kwargs)
        replies.setdefault("sms", result)
        return result

    conversations.handle, chat.message = recording, recording_message
    rng = random.Random(3)
    asyncio.run(_calls(app, 5, []))
    asyncio.run(_replay(app, [sms(rng, 1)]))
    from bot.turns import TurnResult
    from bot.chat.service import ChatTurn

    def handle(inp, *, turn, render, client_address=None, after=None):
        recorded = replies[turn]
        body = render(recorded.reply, (turn or 0) + 1)
        return TurnResult(body, recorded.reply, recorded.conversation_id, texts=recorded.texts)

    def message(*, channel, customer, ours, message_sid, text, render):
        recorded = replies["sms"]
        return ChatTurn(render(recorded.reply, 1), recorded.reply, recorded.conversation_id)

    conversations.handle, chat.message = handle, message
    conversations.hang_up = lambda key, *, status: None


async def _calls(app, count: int, into: list) -> None:
    caller = Caller(BASE, 8000, demo_customers(), real=True, rng=random.Random(11))
    caller.connection = Recording(app, into)
    for _ in range(count):
        await caller.call(Tally(), None)


async def _replay(app, requests: list) -> list[int]:
    connection = AsgiConnection(app)
    statuses = []
    for path, body, signature in requests:
        status, _ = await connection.post(path, body, signature)
        statuses.append(status)
    return statuses


def cpu_per_request(app, requests: list, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        statuses = asyncio.run(_replay(app, requests))
        best = min(best, time.process_time() - started)
        bad = [s for s in statuses if s not in (200, 204)]
        assert not bad, f"{len(bad)} requests answered {bad[:5]}"
    return best * 1000 / len(requests)


def main() -> int:
    args = sys.argv[1:]
    count = int(args[args.index("--calls") + 1]) if "--calls" in args else 200
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 5
    top = int(args[args.index("--top") + 1]) if "--top" in args else 40
    data_key()
    from bot.settings import Settings
    from webhooks.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        url, drop = prepare_database("sqlite", Path(folder))
        try:
            settings = Settings(_env_file=None, database_url=url, twilio_auth_token=TOKEN, public_base_url=BASE,
                                twilio_workflow_sid=WORKFLOW_SID, flows_dir=ROOT / "flows", data_key=data_key(),
                                log_level="WARNING")
            app = create_app(settings)
            logging.getLogger().setLevel("INFO")  # as served (profile_turns.py does the same)
            logging.getLogger().handlers[0].stream = open(os.devnull, "w")
            stub_turns(app)
            voice: list = []
            asyncio.run(_calls(app, count, voice))
            rng = random.Random(5)
            messages = [sms(rng, n) for n in range(count)]
            import _bare_app

            bare_requests = [r for r in voice if r[0].startswith("/twilio/voice")]
            figures = {
                "voice (the load.py calls)": cpu_per_request(app, voice, rounds),
                "sms (/twilio/messaging)": cpu_per_request(app, messages, rounds),
                "bare app, same voice requests": cpu_per_request(_bare_app.app, bare_requests, rounds),
            }
            print(f"== web layer alone, {len(voice)} voice requests ({count} calls), {len(messages)} SMS; "
                  f"CPU per request, best of {rounds} (turns stubbed: replies recorded from real ones)")
            for name, ms in figures.items():
                print(f"  {name:32} {ms:.3f} ms")
            if "--profile" in args:
                profile = cProfile.Profile(time.process_time)
                profile.enable()
                asyncio.run(_replay(app, voice))
                profile.disable()
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out).strip_dirs()
                for order in ("tottime", "cumulative"):
                    stats.sort_stats(order).print_stats(top)
                print(out.getvalue())
        finally:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
