"""`bot serve`: the web server Twilio and the chat widget talk to."""
from __future__ import annotations

import os
from typing import Annotated

import typer

from bot.cli.common import fail_config, out, settings_or_exit, settings_problems
from bot.engine.source import ConfigError
from bot.keys import DataKeyError
from bot.settings import Settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Print the demo customers and webhook URLs before serving.")] = False,
) -> None:
    """Serve the webhooks (Twilio Voice) on HOST:PORT."""
    import uvicorn

    from webhooks.app import create_app

    settings = settings_or_exit()
    if demo and not settings.twilio_auth_token and "TWILIO_VALIDATE_SIGNATURE" not in os.environ:
        # A local demo has no Twilio token to check against; say so loudly rather than refuse every call.
        settings = settings.model_copy(update={"twilio_validate_signature": False})
    try:
        application = create_app(settings)
    except ConfigError as exc:
        fail_config(exc)
    except DataKeyError as exc:
        for line in settings_problems(exc):
            typer.echo(line, err=True)
        raise typer.Exit(1) from None
    if demo:
        _print_demo(settings, host, port)
    # No Server header naming the stack; forwarded addresses are the app's to believe (FORWARDED_ALLOW_IPS).
    uvicorn.run(application, host=host, port=port, log_config=None, server_header=False, proxy_headers=False)


def _print_demo(settings: Settings, host: str, port: int) -> None:
    from bot.demo import demo_customers

    base = settings.public_base_url or f"http://{host}:{port}"
    out.rule("Verification front door")
    out.print("Paste these into your Twilio number's Voice configuration (HTTP POST):")
    out.print(f"  A call comes in:       {base}/twilio/voice")
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
