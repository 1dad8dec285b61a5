"""`bot simulate`: talk to the flow in FLOWS_DIR at a terminal, against DATABASE_URL."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli.common import bundle_or_exit, out, safe_url
from bot.settings import get_settings


def simulate(
    channel: Annotated[str, typer.Option(help="voice, sms, whatsapp or web.")] = "voice",
    from_: Annotated[Optional[str], typer.Option("--from", help="Caller ID (voice) or sender (sms/whatsapp).")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Conversation language, one the flow declares.")] = None,
    now: Annotated[Optional[str], typer.Option(help="Fixed clock, ISO date and time (e.g. to try business hours).")] = None,
    flows: Annotated[Optional[Path], typer.Option(help="Folder of flow files (default FLOWS_DIR).")] = None,
    variant: Annotated[Optional[list[str]], typer.Option(help="Hear one wording of an A/B test: NAME=A or NAME=B (repeatable).")] = None,
) -> None:
    """A conversation with the flow as it will run: same engine, same database. Failed checks count
    towards the lockout as on a real call (point DATABASE_URL at a practice database to avoid that)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.dialogue import CHANNELS, Dialogue
    from bot.logging_setup import mask
    from bot.simulator import Simulator
    from bot.store.models import utcnow
    from bot.turns import Conversations
    from webhooks.renderers import renderer_for

    if channel not in CHANNELS:
        _fail(f"--channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    settings = get_settings()
    bundle = bundle_or_exit(settings, flows)
    if lang is not None and lang not in bundle.flow.languages:
        _fail(f"--lang {lang!r}: the flow speaks {', '.join(bundle.flow.languages)}")
    chosen = {}
    for item in variant or []:
        name, _, letter = item.partition("=")
        if letter not in ("A", "B"):
            _fail(f"--variant {item!r}: expected NAME=A or NAME=B")
        chosen[name] = letter
    # Texts (a recovered customer number) are shown as due, never sent: `can_text` lets the flow go that way.
    conversations = Conversations(settings.database_url, bundle, clock=_clock(now) if now else utcnow, can_text=True)
    dialogue = Dialogue(conversations, channel=channel, renderers=renderer_for, caller=from_, language=lang,
                        workflow_sid=settings.twilio_workflow_sid, variants=chosen)
    who = mask(from_) if from_ else "withheld"
    out.print(f"Simulating flow {bundle.flow.name} version {bundle.version} on {channel}, from {who}, "
              f"language {lang or bundle.flow.default_language}; {safe_url(settings.database_url)}; "
              f"session {dialogue.session_key}", highlight=False, markup=False, soft_wrap=True)
    simulator = Simulator(dialogue, out)
    try:
        simulator.open()
        while True:
            line = _read_line()
            if line is None:
                simulator.quit()
                break
            if not simulator.feed(line):
                break
    except SQLAlchemyError as exc:
        _fail(f"the database at {safe_url(settings.database_url)} is not ready ({type(exc).__name__}): "
              "run `bot db upgrade` and `bot customers import FILE.csv` first")


def _read_line() -> str | None:
    """A line from the person at the terminal; None at end of input. Piped input is echoed so a
    scripted session reads like a transcript."""
    try:
        if sys.stdin.isatty():
            return out.input("you> ")
        line = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return None
    if not line:
        return None
    line = line.rstrip("\r\n")
    out.print(f"you> {line}", markup=False, highlight=False, soft_wrap=True)
    return line


def _clock(text: str):
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--now {text!r}: expected an ISO date and time, e.g. 2025-03-03T18:30:00+00:00")
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return lambda: moment


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)
