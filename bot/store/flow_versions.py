"""Published flow versions: what went live, when, by whom and why, and the files of every version.

Small keyword-only functions that return plain data, for the `bot flows` commands and the
supervisors' web console alike: publish (with a message and the conversation tests' results),
roll back to any earlier version, the history, a diff between two versions, a version's files.

The live version is whatever the publication history says, read from the database on each
request, so publishing or rolling back takes effect on every worker without a restart.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import serialise
from bot.store.driver_sql import driver_sql
from bot.store.models import FlowPublication, FlowVersion, utcnow

# Publishing and rolling back read the live version and then write: one at a time across every process
# and host (two hosts' first starts at once, a publish from the console during one from the command line).
_PUBLICATIONS = ("flows", "publication")


class NothingToRollBack(RuntimeError):
    pass


class UnknownVersion(LookupError):
    pass


@dataclass(frozen=True)
class TestSummary:
    """The conversation tests run before a publication."""

    passed: int
    failed: int = 0


@dataclass(frozen=True)
class Publication:
    version: str
    action: str  # publish | rollback
    by: str | None
    at: dt.datetime
    message: str | None = None
    tests: TestSummary | None = None  # None: not run (--skip-tests, a rollback, the first start)


@dataclass(frozen=True)
class FileDiff:
    name: str
    status: str  # added | removed | changed
    lines: list[str]  # a unified diff, without line endings


def history(session: Session) -> list[Publication]:
    """Every publication and rollback, oldest first; the last names the live version."""
    rows = session.scalars(select(FlowPublication).order_by(FlowPublication.id))
    return [Publication(r.version, r.action, r.by, r.at, r.message,
                        TestSummary(r.tests_passed, r.tests_failed or 0) if r.tests_passed is not None else None)
            for r in rows]


def live_stack(publications: list[Publication]) -> list[str]:
    """Versions in the order they went live, with rolled-back ones removed; the last is live.
    A rollback to a version in the stack cuts back to it; to one no longer in it, puts it on top."""
    stack: list[str] = []
    for publication in publications:
        if publication.action == "publish":
            stack.append(publication.version)
        elif publication.version in stack:
            del stack[len(stack) - stack[::-1].index(publication.version):]
        else:
            stack.append(publication.version)
    return stack


def current_version(session: Session) -> str | None:
    # The newest row names the live version for publish and rollback alike. Asked at every new
    # conversation: a fixed statement on the driver (bot.store.driver_sql).
    row = driver_sql(session).one("SELECT version FROM flow_publications ORDER BY id DESC LIMIT 1")
    return row[0] if row is not None else None


def version_files(session: Session, version: str) -> dict[str, str] | None:
    row = session.get(FlowVersion, version)
    return dict(row.files) if row else None


def published_versions(session: Session) -> set[str]:
    return set(session.scalars(select(FlowPublication.version)))


def resolve(session: Session, ref: str) -> str:
    """A full version, or a unique prefix of at least 4 characters (as `bot flows versions` shows)."""
    ref = ref.strip()
    if session.get(FlowVersion, ref) is not None:
        return ref
    matches = list(session.scalars(select(FlowVersion.version).where(FlowVersion.version.startswith(ref))))
    if len(ref) >= 4 and len(matches) == 1:
        return matches[0]
    if len(matches) > 1 and len(ref) >= 4:
        raise UnknownVersion(f"{ref!r} matches several versions: {', '.join(sorted(matches))}")
    raise UnknownVersion(f"no stored flow version {ref!r}; `bot flows versions` lists them")


def publish(session: Session, *, version: str, files: dict[str, str], by: str | None = None,
            message: str | None = None, tests: TestSummary | None = None) -> bool:
    """Make `version` live. Returns False (and records nothing) when it is already live."""
    serialise(session, _PUBLICATIONS)
    if current_version(session) == version:
        return False
    if session.get(FlowVersion, version) is None:
        session.add(FlowVersion(version=version, files=dict(files), created_at=utcnow()))
        session.flush()
    session.add(FlowPublication(version=version, action="publish", by=by, at=utcnow(), message=message,
                                tests_passed=tests.passed if tests else None,
                                tests_failed=tests.failed if tests else None))
    return True


def publish_first(session: Session, *, version: str, files: dict[str, str], by: str | None = None) -> bool:
    """A first start: make `version` live only if nothing was ever published. False when something was
    (another host's first start got there first, or `bot flows publish` ran before any server)."""
    serialise(session, _PUBLICATIONS)
    if current_version(session) is not None:
        return False
    return publish(session, version=version, files=files, by=by)


def rollback(session: Session, *, to: str | None = None, by: str | None = None, message: str | None = None) -> str:
    """Make an earlier version live again: `to` (any version ever published), or by default the one
    live before the current one. Returns the version now live."""
    serialise(session, _PUBLICATIONS)
    publications = history(session)
    stack = live_stack(publications)
    if to is None:
        if len(stack) < 2:
            raise NothingToRollBack("there is no earlier published version to roll back to")
        target = stack[-2]
    else:
        target = resolve(session, to)
        if target not in {p.version for p in publications}:
            raise NothingToRollBack(f"version {target} was never published; publish it instead")
        if stack and stack[-1] == target:
            raise NothingToRollBack(f"version {target} is already live")
    session.add(FlowPublication(version=target, action="rollback", by=by, at=utcnow(), message=message))
    return target


def diff(session: Session, old: str, new: str) -> list[FileDiff]:
    """What changed from version `old` to `new`: a unified diff per file that differs."""
    old, new = resolve(session, old), resolve(session, new)
    return diff_files(version_files(session, old) or {}, version_files(session, new) or {}, old=old, new=new)


def diff_files(before: dict[str, str], after: dict[str, str], *, old: str, new: str) -> list[FileDiff]:
    """A unified diff per file that differs between two sets of flow files (e.g. a version and a draft)."""
    found = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name):
            continue
        status = "added" if name not in before else "removed" if name not in after else "changed"
        lines = list(difflib.unified_diff((before.get(name) or "").splitlines(), (after.get(name) or "").splitlines(),
                                          fromfile=f"{old}/{name}", tofile=f"{new}/{name}", lineterm=""))
        found.append(FileDiff(name, status, lines))
    return found


def pull(session: Session, version: str) -> tuple[str, dict[str, str]]:
    """A version's files by name (default.yaml, lang/es.yaml, ...): (the full version, files)."""
    version = resolve(session, version)
    return version, version_files(session, version) or {}


def write_files(directory: Path, files: dict[str, str]) -> None:
    """Write a version's files into a folder, removing translations the version does not have
    (its tests/ folder is left alone). Each file is replaced whole."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in (directory / "lang").glob("*.yaml") if (directory / "lang").is_dir() else ():
        if f"lang/{stale.name}" not in files:
            stale.unlink()
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
