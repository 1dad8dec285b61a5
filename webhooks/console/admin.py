"""Admins only: console users (add, disable, enable, clear a login lock) and the console audit."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from bot.console import audit, throttle, users
from bot.console.passwords import WeakPassword
from bot.console.users import ROLES, UserError
from bot.store.db import transaction
from webhooks.console.deps import Checked, User, back, clock_of, forbidden, page, settings_of
from webhooks.console.exports import audit_table

router = APIRouter()
NOTICES = {"added": "User added.", "disabled": "User disabled: their sessions have ended.",
           "enabled": "User enabled.", "cleared": "Failed sign-ins cleared: the user can sign in again."}


def _users_page(request: Request, user, *, error: str | None = None, status_code: int = 200):
    now = clock_of(request)()
    with transaction(settings_of(request).database_url) as session:
        listed = users.listing(session)
        locked = throttle.locked_accounts(session, now=now)
    return page(request, user, "users.html", status_code=status_code, current="users", users=listed, roles=ROLES,
                locked={u.username for u in listed if throttle.account_key(u.username) in locked}, error=error,
                notice=NOTICES.get(request.query_params.get("notice", "")))


@router.get("/users")
def users_page(request: Request, user: User):
    if not user.admin:
        return forbidden(request, user, "managing users")
    return _users_page(request, user)


@router.post("/users")
def add_user(request: Request, user: Checked, username: Annotated[str, Form(max_length=80)] = "",
             role: Annotated[str, Form(max_length=20)] = "supervisor", password: Annotated[str, Form(max_length=1024)] = ""):
    if not user.admin:
        return forbidden(request, user, "managing users")
    try:
        with transaction(settings_of(request).database_url) as session:
            users.add(session, username=username, role=role, password=password, by=user.username, clock=clock_of(request))
    except (UserError, WeakPassword) as exc:
        return _users_page(request, user, error=str(exc), status_code=422)
    return back("/console/users", notice="added")


@router.post("/users/{username}/{action}")
def change_user(request: Request, user: Checked, username: str, action: str):
    if not user.admin:
        return forbidden(request, user, "managing users")
    if action not in ("disable", "enable", "clear"):
        return page(request, user, "not_found.html", status_code=404, current="")
    if action == "disable" and users.normalise(username) == user.username:
        return _users_page(request, user, error="You cannot disable your own account.", status_code=422)
    clock = clock_of(request)
    try:
        with transaction(settings_of(request).database_url) as session:
            if action == "clear":
                if users.find(session, username) is None:
                    raise UserError(f"no user {users.normalise(username)!r}")
                throttle.clear_account(session, account=throttle.account_key(username))
                audit.record(session, actor=user.username, action="user-unlock", target=users.normalise(username),
                             clock=clock)
            else:
                users.set_active(session, username=username, active=action == "enable", by=user.username, clock=clock)
    except UserError as exc:
        return _users_page(request, user, error=str(exc), status_code=404)
    return back("/console/users", notice={"disable": "disabled", "enable": "enabled", "clear": "cleared"}[action])


@router.get("/audit")
def audit_page(request: Request, user: User):
    if not user.admin:
        return forbidden(request, user, "the audit")
    with transaction(settings_of(request).database_url) as session:
        table = audit_table(session)
    return page(request, user, "audit.html", current="audit", table=table)
