"""`bot serve`: the web server Twilio and the chat widget talk to."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail_config, out, settings_or_exit, settings_problems
from bot.heap import settle_for_serving
from bot.keys import DataKeyError
from bot.settings import Settings
from bot.yaml_source import ConfigError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client when it is imported: set before that

SQLITE_ONE_PROCESS = (
    "--workers {workers}: SQLite serves one process. Several workers need PostgreSQL "
    "(DATABASE_URL=postgresql://user:password@host/db): with SQLite they would queue on its single "
    "writer lock and, under load, fail turns with 'database is locked'. Use --workers 1, or PostgreSQL.")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (more than 1 needs PostgreSQL).")] = 1,
    demo: Annotated[bool, typer.Option(help="Print the demo customers and webhook URLs before serving.")] = False,
) -> None:
    """Serve the webhooks (Twilio Voice, Messaging, web chat) on HOST:PORT with WORKERS processes."""
    settings = settings_or_exit()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        typer.echo(SQLITE_ONE_PROCESS.format(workers=workers), err=True)
        raise typer.Exit(2)
    _metrics_dir(port)

    import uvicorn

    from bot.logging_setup import configure_logging
    from webhooks.app import create_app

    configure_logging(settings.log_level, settings.log_format)
    if demo and not settings.twilio_auth_token and "TWILIO_VALIDATE_SIGNATURE" not in os.environ:
        # A local demo has no Twilio token to check against; say so loudly rather than refuse every call.
        settings = settings.model_copy(update={"twilio_validate_signature": False})
        os.environ["TWILIO_VALIDATE_SIGNATURE"] = "false"  # the workers read their settings from the environment
    try:
        # Checks the flows and publishes them on the very first start, once, before any worker starts.
        application = create_app(settings)
    except ConfigError as exc:
        fail_config(exc)
    except DataKeyError as exc:
        for line in settings_problems(exc):
            typer.echo(line, err=True)
        raise typer.Exit(1) from None
    if demo:
        _print_demo(settings, host, port)
    if workers == 1:
        settle_for_serving()
        # No Server header naming the stack; forwarded addresses are the app's to believe (FORWARDED_ALLOW_IPS).
        uvicorn.run(application, host=host, port=port, log_config=None, server_header=False, proxy_headers=False)
        return
    from bot.store.db import get_engine

    del application  # each worker builds its own from the same environment
    get_engine(settings.database_url).dispose()
    from bot.cli.uvicorn_workers import run_workers

    run_workers("bot.cli.serve:worker_app", factory=True, workers=workers, host=host, port=port)


def worker_app():
    """What each worker process serves: the app built from the environment, its heap settled (bot.heap)."""
    from webhooks.app import create_app

    application = create_app()
    settle_for_serving()
    return application


def _metrics_dir(port: int) -> Path:
    """Where the workers keep their metrics (prometheus-client's multiprocess mode): PROMETHEUS_MULTIPROC_DIR,
    or a folder per port under the system's temporary folder. Emptied at start: counts begin again at
    zero with each start, as Prometheus expects of a restarted process."""
    path = Path(os.environ.get(MULTIPROC_ENV) or Path(tempfile.gettempdir()) / f"frontdoor-metrics-{port}")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def _print_demo(settings: Settings, host: str, port: int) -> None:
    from bot.demo import demo_customers

    base = settings.public_base_url or f"http://{host}:{port}"
    out.rule("Verification front door")
    out.print("Paste these into your Twilio number's Voice configuration (HTTP POST):")
    out.print(f"  A call comes in:       {base}/twilio/voice")
    out.print(f"  Primary handler fails: {base}/twilio/voice/fallback")
    out.print(f"  Call status changes:   {base}/twilio/voice/status")
    out.print("and into its Messaging configuration, or a WhatsApp sender (HTTP POST):")
    out.print(f"  A message comes in:    {base}/twilio/messaging")
    out.print(f"Web chat widget:         {base}/chat")
    if not settings.twilio_validate_signature:
        out.print("[bold yellow]Signature checks are OFF (TWILIO_VALIDATE_SIGNATURE=false) because no "
                  "TWILIO_AUTH_TOKEN is set: fine on your machine, never in production.[/]")
    out.print("Demo customers (keypad the date as DDMMYYYY):")
    for customer in demo_customers():
        out.print(f"  {customer['full_name']:<16} number {customer['customer_number']}  "
                  f"born {customer['date_of_birth']}  postcode {customer['postcode']}", highlight=False)
    out.rule()
