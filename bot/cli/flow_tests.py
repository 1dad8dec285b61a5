"""`bot flows test [PATH]`: run the conversation tests supervisors write (docs/flow-tests.md).

Registered on the `bot flows` group in flows.py; kept in its own module because it is its own idea."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli.common import bundle_or_exit, out
from bot.settings import get_settings


def test(
    path: Annotated[Optional[Path], typer.Argument(
        help="A test file, or a folder of them (default FLOWS_DIR/tests).")] = None,
    flows: Annotated[Optional[Path], typer.Option(
        "--flows", help="Folder of flow files to test (default: the folder holding the tests folder, else FLOWS_DIR).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the conversation up to a failure.")] = False,
) -> None:
    """Run conversation tests against the flow files: one line per test; exit 0 when all pass, else 1."""
    from bot.flowtests.report import report, summary
    from bot.flowtests.run import find_tests, run_file
    from webhooks.renderers import renderer_for

    settings = get_settings()
    path = path or settings.flows_dir / "tests"
    if not path.exists():
        typer.echo(f"{path}: no such test file or folder", err=True)
        raise typer.Exit(1)
    directory = flows or _flows_for(path) or settings.flows_dir
    bundle = bundle_or_exit(settings, directory)
    out.print(f"testing flow {bundle.flow.name} version {bundle.version} from {directory}", highlight=False)
    results = []
    for file in find_tests(path):
        result = run_file(file, bundle, renderers=renderer_for, display_name=_display(file))
        results.append(result)
        for text, style in report(result, transcript=verbose):
            # One line each, never wrapped: editors jump to file:line.
            out.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
    text, style = summary(results)
    out.print(text, style=style, highlight=False)
    if not results or not all(r.passed for r in results):
        raise typer.Exit(1)


def _flows_for(path: Path) -> Path | None:
    """flows/tests/x.yaml and flows/tests test the flow in flows/: a copy of the folder tests itself."""
    folder = path if path.is_dir() else path.parent
    return folder.parent if (folder.parent / "default.yaml").is_file() else None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
