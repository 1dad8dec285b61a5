"""Check, test and publish a folder of flow files: the one gate `bot flows publish` and the web console
both go through, so a change the command line refuses is refused in the browser, with the same
`file:line` messages and the same test reports."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from bot.dialogue import Renderers
from bot.engine.bundle import FlowBundle, load_bundle
from bot.flowtests.run import FlowTestResult, find_tests, run_file
from bot.settings import Settings
from bot.store import flow_versions
from bot.store.db import transaction
from bot.yaml_source import ConfigError, Problem


def load_flows(settings: Settings, directory: Path | None = None) -> FlowBundle:
    """The folder's flows (default FLOWS_DIR), checked exactly as the server checks them at start-up."""
    return load_bundle(directory or settings.flows_dir, region=settings.default_region,
                       workflow_sid=settings.twilio_workflow_sid, one_time_codes=settings.verify_configured)


def stale_warnings(settings: Settings, bundle: FlowBundle) -> list[Problem]:
    """Wording changed in English since the live version while its translation did not (needs the
    database; without one there is nothing to compare with)."""
    from bot.engine.translations import stale_translations
    from bot.store.migrate import schema_problem

    try:
        if schema_problem(settings.database_url) is not None:
            return []
        with transaction(settings.database_url) as session:
            live = flow_versions.current_version(session)
            files = flow_versions.version_files(session, live) if live else None
    except Exception:  # a check of the files must not fail for want of a database
        return []
    if not files or live == bundle.version:
        return []
    return stale_translations(files, bundle.files, since=live)


def load_checked(settings: Settings, directory: Path | None = None) -> FlowBundle:
    """`bot flows check`: the bundle with every warning, stale translations included; ConfigError
    (problems and warnings, each with file and line) when the folder cannot go live."""
    bundle = load_flows(settings, directory)
    bundle.warnings.extend(stale_warnings(settings, bundle))
    return bundle


def run_tests(directory: Path, bundle: FlowBundle, *, renderers: Renderers) -> list[FlowTestResult]:
    """The folder's conversation tests (tests/*.yaml), each in a fresh practice database."""
    folder = directory / "tests"
    return [run_file(path, bundle, renderers=renderers) for path in find_tests(folder)] if folder.is_dir() else []


def make_live(database_url: str, bundle: FlowBundle, *, by: str | None, message: str | None,
              tests: list[FlowTestResult] | None, also: Callable[[Session, str, bool], None] | None = None) -> bool:
    """Publish a checked bundle whose tests passed (None: not run). False when it was already live.
    `also(session, version, published)` records more in the same transaction (the console's audit)."""
    summary = flow_versions.TestSummary(len(tests), 0) if tests else None
    with transaction(database_url) as session:
        published = flow_versions.publish(session, version=bundle.version, files=bundle.files, by=by,
                                          message=message, tests=summary)
        if also is not None:
            also(session, bundle.version, published)
        return published


@dataclass(frozen=True)
class Outcome:
    """What publishing a folder came to. Refused when the check found problems or a test failed."""

    version: str | None  # None when the files could not be read as flows at all
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    tests: list[FlowTestResult] = field(default_factory=list)
    published: bool = False  # False when refused, or when the version was already live

    @property
    def failed(self) -> list[FlowTestResult]:
        return [result for result in self.tests if not result.passed]

    @property
    def refused(self) -> bool:
        return bool(self.problems or self.failed)


def publish_folder(settings: Settings, directory: Path | None = None, *, by: str, message: str | None,
                   renderers: Renderers, also: Callable[[Session, str, bool], None] | None = None) -> Outcome:
    """Check the folder, run its conversation tests, and make it live only when both pass."""
    folder = directory or settings.flows_dir
    try:
        bundle = load_checked(settings, folder)
    except ConfigError as exc:
        return Outcome(None, problems=sorted(exc.problems, key=_order), warnings=sorted(exc.warnings, key=_order))
    warnings = sorted(bundle.warnings, key=_order)
    results = run_tests(folder, bundle, renderers=renderers)
    if any(not result.passed for result in results):
        return Outcome(bundle.version, warnings=warnings, tests=results)
    published = make_live(settings.database_url, bundle, by=by, message=message, tests=results, also=also)
    return Outcome(bundle.version, warnings=warnings, tests=results, published=published)


def _order(problem: Problem) -> tuple:
    return problem.file, problem.line
