"""Sign in and out. The login form is CSRF-protected too (a pre-session cookie), throttled per
account and address (bot.console.throttle), and answers alike for unknown users and wrong passwords."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse

from bot.console import audit, login, sessions
from bot.store.db import transaction
from webhooks.console.deps import (LOGIN_COOKIE, PAGE_HEADERS, SESSION_COOKIE, Checked, clock_of, page,
                                   secure_cookies, settings_of)

router = APIRouter()
STATIC = {"console.css": "text/css"}  # by the name in the URL: nothing else in the folder is served


def _safe_next(target: str | None) -> str:
    # Only a console page: never another host ("//evil", "https://...") nor a backslash trick.
    if target and target.startswith("/console/") and not target.startswith("/console/login") and "\\" not in target:
        return target
    return "/console/overview"


def _login_page(request: Request, *, next_: str, error: str | None = None, status_code: int = 200,
                retry_after: int | None = None):
    token = request.cookies.get(LOGIN_COOKIE)
    fresh = not token or len(token) > 100
    if fresh:
        token = sessions.new_token()
    response = page(request, None, "login.html", status_code=status_code, next=next_, error=error,
                    login_csrf=sessions.csrf_token(token, "login"), current="login")
    if fresh:
        response.set_cookie(LOGIN_COOKIE, token, max_age=3600, path="/console", httponly=True, samesite="strict",
                            secure=secure_cookies(request))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/login")
def login_form(request: Request, next: str = ""):
    return _login_page(request, next_=_safe_next(next))


@router.post("/login")
def login_submit(request: Request, username: Annotated[str, Form(max_length=200)] = "",
                 password: Annotated[str, Form(max_length=1024)] = "",
                 csrf_token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=500)] = ""):
    if not sessions.csrf_ok(request.cookies.get(LOGIN_COOKIE), csrf_token, "login"):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again", headers=PAGE_HEADERS)
    settings = settings_of(request)
    address = request.client.host if request.client else None
    with transaction(settings.database_url) as session:
        result = login.attempt(session, username=username, password=password, address=address,
                               session_hours=settings.console_session_hours, clock=clock_of(request))
    target = _safe_next(next)
    if result.retry_after:
        wait = (f"{result.retry_after // 60 + 1} minutes" if result.retry_after >= 120 else f"{result.retry_after} seconds")
        message = (f"Too many failed sign-ins: this account or address is locked. Try again in {wait}, or ask an admin."
                   if result.locked else f"Too many failed sign-ins: wait {wait} before trying again.")
        return _login_page(request, next_=target, error=message, status_code=429, retry_after=result.retry_after)
    if result.token is None:
        return _login_page(request, next_=target, error="Wrong username or password.", status_code=401)
    response = RedirectResponse(target, status_code=303, headers=PAGE_HEADERS)
    response.set_cookie(SESSION_COOKIE, result.token, max_age=int(settings.console_session_hours * 3600), path="/console",
                        httponly=True, samesite="strict", secure=secure_cookies(request))
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout")
def logout(request: Request, user: Checked):
    with transaction(settings_of(request).database_url) as session:
        sessions.end(session, user.token)
        audit.record(session, actor=user.username, action="logout", clock=clock_of(request))
    response = RedirectResponse("/console/login", status_code=303, headers=PAGE_HEADERS)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/static/{name}")
def static(name: str):
    if name not in STATIC:
        raise HTTPException(404, "not found")
    from webhooks.console.deps import HERE

    return FileResponse(HERE / "static" / name, media_type=STATIC[name],
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})
