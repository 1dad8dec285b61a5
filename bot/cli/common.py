"""Helpers every `bot` sub-command shares."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from bot.settings import Settings
from bot.yaml_source import ConfigError

out = Console()
err = Console(stderr=True)


def load_flows(settings: Settings, directory: Path | None = None):
    from bot.flow_publishing import load_flows as load

    return load(settings, directory)


def settings_problems(exc: Exception) -> list[str]:
    """A settings error as lines a person can act on: the variable and what is wrong, never a traceback."""
    from pydantic import ValidationError

    from bot.keys import DataKeyError

    if isinstance(exc, ValidationError):
        lines = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error.get("loc", ())).upper()
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            lines.append(f"configuration error: {name + ': ' if name else ''}{message}")
        return lines
    if isinstance(exc, DataKeyError):
        return [f"configuration error: {exc}"]
    return []


def settings_or_exit() -> Settings:
    from pydantic import ValidationError

    from bot.settings import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        for line in settings_problems(exc):
            typer.echo(line, err=True)
        raise typer.Exit(1) from None


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
