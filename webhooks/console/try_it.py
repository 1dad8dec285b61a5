"""Try it: a chat pane that talks to the draft in FLOWS_DIR (or any published version) before callers
hear it. Plain forms, no script: each message is a POST that runs one turn (in the thread pool),
then the pane is shown again (POST-redirect-GET, so a reload never sends a message twice)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from fastapi import APIRouter, Form, Request

from bot.console import audit, try_it
from bot.console.try_it import DraftBundles, TryItConversations
from bot.dialogue import CHANNELS
from bot.engine.bundle import FlowBundle
from bot.flow_publishing import load_checked
from bot.logging_setup import mask
from bot.store import flow_versions
from bot.store.db import transaction
from bot.yaml_source import ConfigError
from webhooks.console.deps import Checked, User, back, clock_of, page, settings_of
from webhooks.console.flows import DRAFT, draft_of
from webhooks.renderers import renderer_for

router = APIRouter()
NOTICES = {"stale": "That form was already sent: here is the conversation as it stands.",
           "hung-up": "Hung up. Start another conversation to try again."}
CHANNEL_LABELS = {"voice": "a phone call", "web": "the web chat", "sms": "SMS", "whatsapp": "WhatsApp"}


def _drafts(request: Request) -> DraftBundles:
    drafts = getattr(request.app.state, "try_it_drafts", None)
    if drafts is None:
        drafts = request.app.state.try_it_drafts = DraftBundles()
    return drafts


def _bundle(request: Request, version: str) -> FlowBundle | None:
    """The bundle a Try-it conversation runs on: the draft it started on, or a published version."""
    known = _drafts(request).get(version)
    if known is not None:
        return known
    with transaction(settings_of(request).database_url) as session:
        if flow_versions.version_files(session, version) is not None:
            return request.app.state.flows.get(session, version)
    try:
        bundle = load_checked(settings_of(request))
    except ConfigError:
        return None
    return _drafts(request).remember(bundle) if bundle.version == version else None


def _conversations(request: Request, bundle: FlowBundle, user) -> TryItConversations:
    # The clock calls and chats run on (a test's fixed time, or the real one).
    return TryItConversations(settings_of(request).database_url, bundle, supervisor=user.username,
                              clock=request.app.state.conversations.clock)


def _ab_tests(bundle: FlowBundle | None) -> list[tuple[str, str]]:
    """(test name, step) of every A/B split in the flow."""
    if bundle is None:
        return []
    return [(step.data["ab_test"]["name"], step.name) for step in bundle.flow.steps.values()
            if isinstance(step.data.get("ab_test"), Mapping) and step.data["ab_test"].get("name")]


def _start_page(request: Request, user, *, error: str | None = None, status_code: int = 200, chosen=None):
    draft = draft_of(request)
    with transaction(settings_of(request).database_url) as session:
        history = flow_versions.history(session)
        live = flow_versions.current_version(session)
        recent = try_it.recent(session, username=user.username)
    # The languages and A/B tests offered are the draft's (the live version's when the draft is broken).
    sample = _drafts(request).remember(draft.bundle) if draft.bundle else (_bundle(request, live) if live else None)
    versions = list(dict.fromkeys(p.version for p in reversed(history)))
    return page(request, user, "try_start.html", status_code=status_code, current="flows", error=error, draft=draft,
                versions=versions, live=live, channels=CHANNELS, channel_labels=CHANNEL_LABELS,
                languages=sample.flow.languages if sample else ["en"], ab_tests=_ab_tests(sample), recent=recent,
                token_of=lambda key: key.rsplit(":", 1)[-1], chosen=chosen or {}, draft_name=DRAFT,
                notice=NOTICES.get(request.query_params.get("notice", "")))


@router.get("/flows/try")
def try_start(request: Request, user: User):
    return _start_page(request, user)


@router.post("/flows/try")
def try_begin(request: Request, user: Checked, source: Annotated[str, Form(max_length=80)] = DRAFT,
              channel: Annotated[str, Form(max_length=20)] = "voice", caller: Annotated[str, Form(max_length=40)] = "",
              language: Annotated[str, Form(max_length=10)] = "", first_message: Annotated[str, Form(max_length=500)] = "",
              variant: Annotated[list[str], Form()] = []):  # noqa: B006 - FastAPI reads a fresh list per request
    chosen = {"source": source, "channel": channel, "caller": caller, "language": language,
              "first_message": first_message}
    refuse = lambda message: _start_page(request, user, error=message, status_code=422, chosen=chosen)  # noqa: E731
    if channel not in CHANNELS:
        return refuse(f"Choose a channel: {', '.join(CHANNELS)}.")
    caller = caller.strip()
    if caller and not all(c.isdigit() or c in "+ -()" for c in caller):
        return refuse("A caller ID is a phone number, e.g. +447700900123 (or leave it empty: withheld).")
    if source == DRAFT:
        try:
            bundle = _drafts(request).remember(load_checked(settings_of(request)))
        except ConfigError:
            return refuse("The draft does not pass its check: fix the problems below, or try a published version.")
    else:
        # The refusal renders a page of its own transactions: answer it after this one has ended.
        unknown = None
        with transaction(settings_of(request).database_url, read_only=True) as session:
            try:
                bundle = request.app.state.flows.get(session, flow_versions.resolve(session, source))
            except flow_versions.UnknownVersion as exc:
                unknown = str(exc).strip("'\"")
        if unknown is not None:
            return refuse(unknown)
    languages = bundle.flow.languages
    if language and language not in languages:
        return refuse(f"Version {bundle.version} speaks {', '.join(languages)}, not {language}.")
    tests = {name for name, _ in _ab_tests(bundle)}
    variants = dict(item.split("=", 1) for item in variant if "=" in item)
    if any(name not in tests or letter not in ("A", "B") for name, letter in variants.items()):
        return refuse("Choose A or B for an A/B test of this version (or leave it to the split).")
    token = try_it.new_token()
    key = try_it.key_for(user.username, token)
    try_it.start(_conversations(request, bundle, user), key=key, channel=channel, caller=caller or None,
                 language=language or None, variants=variants, renderers=renderer_for, first_message=first_message or "Hi",
                 workflow_sid=settings_of(request).twilio_workflow_sid)
    with transaction(settings_of(request).database_url) as session:
        what = "draft" if source == DRAFT else "published version"
        audit.record(session, actor=user.username, action="tryit-start", target=f"{bundle.version} ({what})",
                     detail=f"{channel}" + (f", caller {mask(caller)}" if caller else ""), clock=clock_of(request))
    # No fragment: a page opened at a fragment skips `autofocus`, and the reply box should have the focus.
    return back(f"/console/flows/try/{token}")


def _pane(request: Request, user, token: str, *, error: str | None = None, status_code: int = 200):
    key = try_it.key_for(user.username, token)
    with transaction(settings_of(request).database_url) as session:
        shown = try_it.view(session, key=key) if key else None
        live = flow_versions.current_version(session)
        published = flow_versions.published_versions(session)
    if shown is None:
        return page(request, user, "not_found.html", status_code=404, current="flows")
    runs_on = "draft" if shown.version not in published else "live" if shown.version == live else "published"
    bundle = _bundle(request, shown.version)
    available = shown.closed or bundle is not None
    return page(request, user, "try_it.html", status_code=status_code, current="flows", error=error, shown=shown,
                token=token, runs_on=runs_on, available=available, channel_labels=CHANNEL_LABELS,
                rendered=_pretty(shown.rendered(bundle)), notice=NOTICES.get(request.query_params.get("notice", "")))


def _pretty(body: str | None) -> str | None:
    """TwiML indented, JSON indented: readable in the pane."""
    if not body:
        return None
    try:
        if body.lstrip().startswith("<"):
            return minidom.parseString(body).toprettyxml(indent="  ").split("\n", 1)[1].strip()
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except (ExpatError, ValueError, IndexError):
        return body


@router.get("/flows/try/{token}")
def try_pane(request: Request, user: User, token: str):
    return _pane(request, user, token)


@router.post("/flows/try/{token}")
def try_turn(request: Request, user: Checked, token: str, action: Annotated[str, Form(max_length=20)] = "send",
             text: Annotated[str, Form(max_length=500)] = "", turn: Annotated[int, Form()] = -1):
    key = try_it.key_for(user.username, token)
    settings = settings_of(request)
    with transaction(settings.database_url) as session:
        shown = try_it.view(session, key=key) if key else None
    if shown is None or action not in ("send", "silence", "hangup"):
        return page(request, user, "not_found.html", status_code=404, current="flows")
    if action == "hangup":
        try_it.hang_up(settings.database_url, request.app.state.conversations, key=key)
        return back(f"/console/flows/try/{token}", notice="hung-up")
    if action == "send" and not text.strip():
        return _pane(request, user, token, status_code=422,
                     error="Type a message" + (", or choose Say nothing." if shown.channel == "voice" else "."))
    if action == "silence" and shown.channel != "voice":
        return _pane(request, user, token, status_code=422, error="A chat only moves when a message arrives.")
    bundle = _bundle(request, shown.version)
    if bundle is None:
        return _pane(request, user, token, status_code=409, error=(
            f"This conversation ran on draft {shown.version}, and FLOWS_DIR has changed since: start a new one "
            "to hear the changes."))
    sent = try_it.send(_conversations(request, bundle, user), key=key, text=text if action == "send" else None,
                       turn=turn, renderers=renderer_for, workflow_sid=settings.twilio_workflow_sid)
    if not sent:
        return back(f"/console/flows/try/{token}", notice="stale")
    # No fragment: a page opened at a fragment skips `autofocus`, and the reply box should have the focus.
    return back(f"/console/flows/try/{token}")
