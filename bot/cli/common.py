"""Helpers every `bot` sub-command shares."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from bot.engine.source import ConfigError
from bot.settings import Settings

out = Console()
err = Console(stderr=True)


def load_flows(settings: Settings, directory: Path | None = None):
    from bot.flow_publishing import load_flows as load

    return load(settings, directory)


def fail_config(exc: ConfigError) -> None:
    """Print every problem (and warning) as file:line: message and exit 1."""
    for problem in sorted(exc.problems + exc.warnings, key=_order):
        typer.echo(str(problem), err=True)  # one line each, never wrapped: editors jump to file:line
    raise typer.Exit(1)


def print_warnings(bundle) -> None:
    for warning in sorted(bundle.warnings, key=_order):
        typer.echo(str(warning), err=True)


def _order(problem) -> tuple:
    return problem.file, problem.line


def bundle_or_exit(settings: Settings, directory: Path | None = None):
    try:
        return load_flows(settings, directory)
    except ConfigError as exc:
        fail_config(exc)


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"
