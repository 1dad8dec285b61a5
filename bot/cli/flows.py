"""`bot flows ...`: check the files supervisors edit."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli import flow_tests
from bot.cli.common import bundle_or_exit, fail_config, out, print_warnings
from bot.settings import get_settings
from bot.yaml_source import ConfigError

app = typer.Typer(help="Flows supervisors edit.", no_args_is_help=True)


@app.command("check")
def check(directory: Annotated[Optional[Path], typer.Argument(help="Folder of flow files (default FLOWS_DIR).")] = None) -> None:
    """Validate the flow files; every problem is printed with file and line. Exit 0 when all is well."""
    bundle = _checked(get_settings(), directory)
    print_warnings(bundle)
    out.print(f"flows OK: {bundle.flow.name} version {bundle.version}, {len(bundle.flow.steps)} steps, "
              f"{len(bundle.departments)} departments"
              + (f", {len(bundle.warnings)} warning{'s' if len(bundle.warnings) != 1 else ''}" if bundle.warnings else ""),
              highlight=False)


def _checked(settings, directory: Path | None):
    """The folder checked as `bot flows publish` and the console check it (bot.flow_publishing)."""
    from bot.flow_publishing import load_checked

    try:
        return load_checked(settings, directory)
    except ConfigError as exc:
        fail_config(exc)


@app.command("explain")
def explain(text: Annotated[str, typer.Argument(help="What a caller says or types at a menu.")],
            step: Annotated[Optional[str], typer.Option(help="The menu step (default: the flow's first menu).")] = None,
            directory: Annotated[Optional[Path], typer.Option("--flows", help="Folder of flow files (default FLOWS_DIR).")] = None) -> None:
    """How a menu reads TEXT: the words it hears, each department's best synonym and score, and the choice."""
    from bot.understanding.intents import explain_intent

    bundle = bundle_or_exit(get_settings(), directory)
    menus = [s for s in bundle.flow.steps.values() if s.type == "menu"]
    menu = next((s for s in menus if s.name == step), None) if step else (menus[0] if menus else None)
    if menu is None:
        typer.echo(f"no menu step {step!r}; menus: {', '.join(s.name for s in menus) or 'none'}", err=True)
        raise typer.Exit(1)
    threshold = menu.get("intent_threshold")
    result = explain_intent(text, menu.synonyms_by_department(bundle.departments), threshold=threshold)
    show = lambda line: out.print(line, markup=False, highlight=False, soft_wrap=True)  # noqa: E731
    show(f"menu {menu.name}, threshold {threshold:g}; heard: {' '.join(result.heard) or '(nothing)'}")
    def order(department: str) -> tuple:
        best, closest = result.best[department], result.closest[department]
        return (0, -best.words, -best.score) if best else (1, 0, -(closest.score if closest else 0))

    for department in sorted(result.closest, key=order):
        best, closest = result.best[department], result.closest[department]
        if best is not None:
            show(f"  {department:<16} {best.score:5.1f}  {best.synonym!r} ({best.words} word{'s' if best.words > 1 else ''})")
        elif closest is not None:
            show(f"  {department:<16} {closest.score:5.1f}  below {threshold:g}: closest {closest.synonym!r}")
    show(f"-> {result.choice}: {result.reason}" if result.choice else f"-> no department: {result.reason}; "
         "the caller hears the no-match wording")


# `bot flows test [PATH]`: conversation tests, in a module of their own.
app.command("test")(flow_tests.test)


@app.command("publish")
def publish(directory: Annotated[Optional[Path], typer.Argument(help="Folder of flow files (default FLOWS_DIR).")] = None,
            by: Annotated[str, typer.Option(help="Who is publishing, for the history.")] = "cli",
            message: Annotated[Optional[str], typer.Option("--message", "-m", help="Why: shown by `bot flows versions`.")] = None,
            skip_tests: Annotated[bool, typer.Option("--skip-tests", help="Publish without running the folder's tests/.")] = False,
            if_new: Annotated[bool, typer.Option("--if-new", help="Only if this version was never published "
                                                 "(what `make run` uses, so it never undoes a rollback).")] = False) -> None:
    """Validate, run the folder's conversation tests, and make these flow files live on every running
    server without a restart. A flow that fails either is never published; the current version keeps serving."""
    from bot.flow_publishing import make_live, run_tests
    from webhooks.renderers import renderer_for
    from bot.flowtests.report import report
    from bot.store import flow_versions
    from bot.store.db import transaction

    settings = get_settings()
    folder = directory or settings.flows_dir
    bundle = _checked(settings, folder)
    print_warnings(bundle)
    if if_new:
        with transaction(settings.database_url) as session:
            live = flow_versions.current_version(session)
            known = bundle.version in flow_versions.published_versions(session)
        if known and live != bundle.version:
            out.print(f"{folder} holds version {bundle.version}, published before and since rolled back; version "
                      f"{live} is live and stays live. To make {folder} live again: bot flows publish {folder}; "
                      f"to edit the live version: bot flows pull {live} {folder} --force", highlight=False, soft_wrap=True)
            return
    results = [] if skip_tests else run_tests(folder, bundle, renderers=renderer_for)
    failed = [result for result in results if not result.passed]
    for result in failed:
        for text, _style in report(result, transcript=False):
            typer.echo(text, err=True)
    if failed:
        typer.echo(f"not published: {len(failed)} of {len(results)} conversation tests failed "
                   "(fix them, or publish with --skip-tests)", err=True)
        raise typer.Exit(1)
    changed = make_live(settings.database_url, bundle, by=by, message=message, tests=results)
    tested = f" ({len(results)} conversation tests passed)" if results else ""
    out.print(f"published version {bundle.version}{tested}" if changed else f"version {bundle.version} is already live",
              highlight=False)


@app.command("rollback")
def rollback(version: Annotated[Optional[str], typer.Argument(help="The version to go back to (default: the one before).")] = None,
             by: Annotated[str, typer.Option(help="Who is rolling back, for the history.")] = "cli",
             message: Annotated[Optional[str], typer.Option("--message", "-m", help="Why: shown by `bot flows versions`.")] = None) -> None:
    """Make an earlier published version live again. Calls in progress finish on their version."""
    from bot.store import flow_versions
    from bot.store.db import transaction

    settings = get_settings()
    try:
        with transaction(settings.database_url) as session:
            live = flow_versions.rollback(session, to=version, by=by, message=message)
    except (flow_versions.NothingToRollBack, flow_versions.UnknownVersion) as exc:
        typer.echo(str(exc).strip("'\""), err=True)
        raise typer.Exit(1)
    out.print(f"rolled back: version {live} is live. {settings.flows_dir} still holds your files as they were; "
              f"to edit from the live version: bot flows pull {live} {settings.flows_dir} --force",
              highlight=False, soft_wrap=True)


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
        tests = f"tests {row.tests.passed} passed" if row.tests else "tests not run"
        note = f"  {row.message}" if row.message else ""
        out.print(f"{row.at:%Y-%m-%d %H:%M:%S}  {row.action:<8}  {row.version}  {row.by or '-'}  {tests}{note}",
                  highlight=False, markup=False, soft_wrap=True)


@app.command("diff")
def diff(old: Annotated[str, typer.Argument(help="A version (or a unique prefix).")],
         new: Annotated[str, typer.Argument(help="Another version.")]) -> None:
    """What changed between two published versions, file by file (a unified diff)."""
    from bot.store import flow_versions
    from bot.store.db import transaction

    try:
        with transaction(get_settings().database_url) as session:
            changes = flow_versions.diff(session, old, new)
    except flow_versions.UnknownVersion as exc:
        typer.echo(str(exc).strip("'\""), err=True)
        raise typer.Exit(1)
    if not changes:
        out.print("no differences", highlight=False)
    for change in changes:
        for line in change.lines:
            out.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command("pull")
def pull(version: Annotated[str, typer.Argument(help="The version to write out (or a unique prefix).")],
         directory: Annotated[Optional[Path], typer.Argument(help="Where (default FLOWS_DIR).")] = None,
         force: Annotated[bool, typer.Option("--force", help="Overwrite files that hold changes never published.")] = False) -> None:
    """Write a published version out as flow files, e.g. to edit from what is live after a rollback."""
    from bot.engine.bundle import read_texts, version_of
    from bot.store import flow_versions
    from bot.store.db import transaction
    from bot.yaml_source import ConfigError

    settings = get_settings()
    target = directory or settings.flows_dir
    try:
        with transaction(settings.database_url) as session:
            version, files = flow_versions.pull(session, version)
            if (target / "default.yaml").exists() and not force:
                try:
                    current = version_of(read_texts(target))
                except ConfigError:
                    current = None
                if current not in flow_versions.published_versions(session) and current != version:
                    typer.echo(f"{target} holds changes that were never published; pull into another folder, "
                               "or add --force to overwrite them", err=True)
                    raise typer.Exit(1)
    except flow_versions.UnknownVersion as exc:
        typer.echo(str(exc).strip("'\""), err=True)
        raise typer.Exit(1)
    flow_versions.write_files(target, files)
    out.print(f"wrote version {version} to {target} ({len(files)} files)", highlight=False)
