"""`bot flows ...`: check the files supervisors edit."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli.common import bundle_or_exit, out
from bot.settings import get_settings

app = typer.Typer(help="Flows supervisors edit.", no_args_is_help=True)


@app.command("check")
def check(directory: Annotated[Optional[Path], typer.Argument(help="Folder of flow files (default FLOWS_DIR).")] = None) -> None:
    """Validate the flow files; every problem is printed with file and line. Exit 0 when all is well."""
    bundle = bundle_or_exit(get_settings(), directory)
    out.print(f"flows OK: {bundle.flow.name} version {bundle.version}, {len(bundle.flow.steps)} steps, "
              f"{len(bundle.departments)} departments")
