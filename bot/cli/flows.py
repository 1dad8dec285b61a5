"""`bot flows ...`: check the files supervisors edit."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli import flow_tests
from bot.cli.common import bundle_or_exit, out
from bot.settings import get_settings

app = typer.Typer(help="Flows supervisors edit.", no_args_is_help=True)


@app.command("check")
def check(directory: Annotated[Optional[Path], typer.Argument(help="Folder of flow files (default FLOWS_DIR).")] = None) -> None:
    """Validate the flow files; every problem is printed with file and line. Exit 0 when all is well."""
    bundle = bundle_or_exit(get_settings(), directory)
    out.print(f"flows OK: {bundle.flow.name} version {bundle.version}, {len(bundle.flow.steps)} steps, "
              f"{len(bundle.departments)} departments")


# `bot flows test [PATH]`: conversation tests, in a module of their own.
app.command("test")(flow_tests.test)


@app.command("publish")
def publish(directory: Annotated[Optional[Path], typer.Argument(help="Folder of flow files (default FLOWS_DIR).")] = None,
            by: Annotated[str, typer.Option(help="Who is publishing, for the history.")] = "cli",
            skip_tests: Annotated[bool, typer.Option("--skip-tests", help="Publish without running the folder's tests/.")] = False) -> None:
    """Validate, run the folder's conversation tests, and make these flow files live on every running
    server without a restart. A flow that fails either is never published; the current version keeps serving."""
    from bot.flowtests.report import report
    from bot.flowtests.run import find_tests, run_file
    from bot.store import flow_versions
    from bot.store.db import transaction

    settings = get_settings()
    folder = directory or settings.flows_dir
    bundle = bundle_or_exit(settings, folder)
    tests = [] if skip_tests or not (folder / "tests").is_dir() else find_tests(folder / "tests")
    failed = [result for result in (run_file(path, bundle) for path in tests) if not result.passed]
    for result in failed:
        for text, _style in report(result, transcript=False):
            typer.echo(text, err=True)
    if failed:
        typer.echo(f"not published: {len(failed)} of {len(tests)} conversation tests failed "
                   "(fix them, or publish with --skip-tests)", err=True)
        raise typer.Exit(1)
    with transaction(settings.database_url) as session:
        changed = flow_versions.publish(session, version=bundle.version, files=bundle.files, by=by)
    out.print(f"published version {bundle.version}" if changed else f"version {bundle.version} is already live")


@app.command("rollback")
def rollback(by: Annotated[str, typer.Option(help="Who is rolling back, for the history.")] = "cli") -> None:
    """Make the previously published version live again. Calls in progress finish on their version."""
    from bot.store import flow_versions
    from bot.store.db import transaction

    settings = get_settings()
    try:
        with transaction(settings.database_url) as session:
            version = flow_versions.rollback(session, by=by)
    except flow_versions.NothingToRollBack as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    out.print(f"rolled back: version {version} is live")


@app.command("versions")
def versions() -> None:
    """The publication history, oldest first; the last line is live."""
    from bot.store import flow_versions
    from bot.store.db import transaction

    with transaction(get_settings().database_url, read_only=True) as session:
        rows = flow_versions.history(session)
    if not rows:
        out.print("nothing published yet")
    for row in rows:
        out.print(f"{row.at:%Y-%m-%d %H:%M:%S}  {row.action:<8}  {row.version}  {row.by or ''}", highlight=False)
