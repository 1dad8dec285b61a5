"""Flows: the live version and the history, a diff between any two versions (or the draft in
FLOWS_DIR), publishing FLOWS_DIR through the gate `bot flows publish` uses, and rollback to any
version. Publishing and rolling back are POST forms with CSRF; they run checks and tests, so the
routes are plain functions (FastAPI runs them in its thread pool, never on the event loop)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request

from bot.console import audit
from bot.engine.bundle import FlowBundle, read_texts
from bot.flow_publishing import Outcome, load_checked, publish_folder
from bot.flowtests.report import report
from bot.store import flow_versions
from bot.store.db import transaction
from bot.yaml_source import ConfigError, Problem
from webhooks.console import diffs
from webhooks.console.deps import Checked, User, back, clock_of, page, settings_of
from webhooks.renderers import renderer_for

router = APIRouter()
DRAFT = "draft"
MAX_MESSAGE = 500
NOTICES = {"published": "Published: new conversations now run this version; calls in progress finish on theirs.",
           "unchanged": "The folder holds the live version already: nothing changed.",
           "rolled-back": "Rolled back: new conversations now run that version. FLOWS_DIR still holds your files."}
# One publish at a time per server process: each runs every conversation test.
_PUBLISHING = threading.Lock()


@dataclass
class Draft:
    """FLOWS_DIR on the server as it is now."""

    version: str | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    bundle: FlowBundle | None = None  # when it passes its check


def draft_of(request: Request) -> Draft:
    try:
        bundle = load_checked(settings_of(request))
    except ConfigError as exc:
        return Draft(None, sorted(exc.problems, key=_order), sorted(exc.warnings, key=_order))
    return Draft(bundle.version, warnings=sorted(bundle.warnings, key=_order), bundle=bundle)


def _order(problem: Problem) -> tuple:
    return problem.file, problem.line


@dataclass(frozen=True)
class HistoryRow:
    publication: flow_versions.Publication
    live: bool
    before: str | None  # the version live before this one, for "what changed"


def _history(session) -> tuple[list[HistoryRow], list[str]]:
    """The history newest first, and the live stack (the last is live)."""
    publications = flow_versions.history(session)
    rows, previous = [], None
    for index, publication in enumerate(publications):
        rows.append(HistoryRow(publication, index == len(publications) - 1, previous))
        previous = publication.version
    return rows[::-1], flow_versions.live_stack(publications)


def _flows_page(request: Request, user, *, outcome: Outcome | None = None, error: str | None = None,
                status_code: int = 200, message: str = ""):
    draft = draft_of(request)
    with transaction(settings_of(request).database_url) as session:
        history, stack = _history(session)
        published = flow_versions.published_versions(session)
    live = history[0].publication if history else None
    versions = list(dict.fromkeys(row.publication.version for row in history))  # newest first, once each
    failed = [list(report(result)) for result in outcome.failed] if outcome else []
    return page(request, user, "flows.html", status_code=status_code, current="flows", error=error,
                notice=NOTICES.get(request.query_params.get("notice", "")), draft=draft, live=live, history=history,
                versions=versions, rollback_default=stack[-2] if len(stack) > 1 else None, published=published,
                flows_dir=str(settings_of(request).flows_dir), outcome=outcome, failed=failed, message=message,
                max_message=MAX_MESSAGE)


@router.get("/flows")
def flows(request: Request, user: User):
    return _flows_page(request, user)


def _message(text: str) -> str:
    return " ".join(text.split())


@router.post("/flows/publish")
def publish(request: Request, user: Checked, message: Annotated[str, Form(max_length=2000)] = ""):
    message = _message(message)
    if not message or len(message) > MAX_MESSAGE:
        return _flows_page(request, user, status_code=422, message=message,
                           error=f"Say why you are publishing (at most {MAX_MESSAGE} characters): it goes in the history.")
    if not _PUBLISHING.acquire(blocking=False):
        return _flows_page(request, user, status_code=409, message=message,
                           error="Another publish is running its tests on this server: try again in a moment.")
    settings, clock = settings_of(request), clock_of(request)

    def also(session, version: str, published: bool) -> None:
        # In the publish's own transaction: published and audited, or neither.
        audit.record(session, actor=user.username, action="flow-publish" if published else "flow-publish-unchanged",
                     target=version, detail=message, clock=clock)

    try:
        outcome = publish_folder(settings, by=user.username, message=message, renderers=renderer_for, also=also)
    finally:
        _PUBLISHING.release()
    if outcome.refused:
        why = (f"{len(outcome.problems)} problem{'s' if len(outcome.problems) != 1 else ''} in the files"
               if outcome.problems else f"{len(outcome.failed)} of {len(outcome.tests)} conversation tests failed")
        with transaction(settings.database_url) as session:
            audit.record(session, actor=user.username, action="flow-publish-refused", target=outcome.version,
                         detail=f"{why}; {message}", clock=clock)
        return _flows_page(request, user, outcome=outcome, status_code=422, message=message,
                           error=f"Not published: {why}. The live version keeps serving.")
    return back("/console/flows", notice="published" if outcome.published else "unchanged")


@router.post("/flows/rollback")
def rollback(request: Request, user: Checked, version: Annotated[str, Form(max_length=80)] = "",
             message: Annotated[str, Form(max_length=2000)] = ""):
    message = _message(message)
    if not version.strip() or not message or len(message) > MAX_MESSAGE:
        return _flows_page(request, user, status_code=422,
                           error=f"Choose a version and say why you are rolling back (at most {MAX_MESSAGE} characters).")
    clock = clock_of(request)
    try:
        with transaction(settings_of(request).database_url) as session:
            live = flow_versions.rollback(session, to=version, by=user.username, message=message)
            audit.record(session, actor=user.username, action="flow-rollback", target=live, detail=message, clock=clock)
    except (flow_versions.NothingToRollBack, flow_versions.UnknownVersion) as exc:
        return _flows_page(request, user, status_code=409, error=f"Not rolled back: {str(exc).strip(chr(39))}.")
    return back("/console/flows", notice="rolled-back")


@router.get("/flows/diff")
def diff(request: Request, user: User, old: str = "", new: str = DRAFT):
    settings = settings_of(request)
    error, changes = None, []
    try:
        with transaction(settings.database_url) as session:
            old = old or flow_versions.current_version(session) or ""
            before, old_label = _files(session, settings, old)
            after, new_label = _files(session, settings, new)
        changes = flow_versions.diff_files(before, after, old=old_label, new=new_label)
    except (flow_versions.UnknownVersion, ConfigError) as exc:
        error = str(exc).strip("'\"")
    with transaction(settings.database_url) as session:
        versions = list(dict.fromkeys(p.version for p in reversed(flow_versions.history(session))))
        live = flow_versions.current_version(session)
    return page(request, user, "flow_diff.html", status_code=404 if error else 200, current="flows", error=error,
                old=old, new=new, versions=versions, live=live, draft=DRAFT,
                files=[(change, diffs.rows(change.lines)) for change in changes])


def _files(session, settings, ref: str) -> tuple[dict[str, str], str]:
    """A version's files (or the draft's, from FLOWS_DIR) and the name to show for them."""
    if ref == DRAFT:
        return read_texts(settings.flows_dir), DRAFT
    version = flow_versions.resolve(session, ref)
    return flow_versions.version_files(session, version) or {}, version
