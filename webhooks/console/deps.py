"""What every console page shares: the signed-in user (or a redirect to the login), CSRF checks,
the page template with its security headers, and the period a report covers."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from bot.console import sessions
from bot.console.sessions import SignedIn
from bot.logging_setup import mask
from bot.reporting import CHANNELS, PRESETS, Period, between, preset
from bot.settings import Settings
from bot.store.db import transaction
from bot.store.models import utcnow

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.filters["masked"] = lambda value: mask(str(value)) if value else ""
TEMPLATES.env.filters["when"] = lambda value: f"{value:%Y-%m-%d %H:%M}" if value else ""
SESSION_COOKIE = "console_session"
LOGIN_COOKIE = "console_login"
# Everything the page loads comes from this server; nothing may frame it.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
NAV = (("overview", "Overview"), ("funnel", "Funnel"), ("variants", "Variants"), ("flows", "Flows"),
       ("queues", "Callbacks"), ("locks", "Locked numbers"), ("desk", "Desk"))
ADMIN_NAV = (("users", "Users"), ("audit", "Audit"))


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def clock_of(request: Request):
    """The console's clock: the real one, or a test's (app.state.console_clock)."""
    return getattr(request.app.state, "console_clock", utcnow)


def secure_cookies(request: Request) -> bool:
    return (settings_of(request).public_base_url or "").startswith("https://")


def signed_in(request: Request) -> SignedIn:
    """The user behind the session cookie; anyone else is sent to the login page."""
    settings = settings_of(request)
    with transaction(settings.database_url) as session:
        user = sessions.resume(session, request.cookies.get(SESSION_COOKIE),
                               idle_minutes=settings.console_session_idle_minutes, clock=clock_of(request))
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "sign in first", headers={"Location": f"/console/login?next={quote(target, safe='')}",
                                                            **PAGE_HEADERS})
    return user


User = Annotated[SignedIn, Depends(signed_in)]


def checked(user: User, csrf_token: Annotated[str, Form()] = "") -> SignedIn:
    """A signed-in user's form, carrying the CSRF token of their session; anything else is a 403."""
    if not sessions.csrf_ok(user.token, csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again", headers=PAGE_HEADERS)
    return user


Checked = Annotated[SignedIn, Depends(checked)]


def page(request: Request, user: SignedIn | None, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    nav = NAV + (ADMIN_NAV if user is not None and user.admin else ())
    return TEMPLATES.TemplateResponse(request, template, {
        "user": user, "csrf": sessions.csrf_token(user.token) if user else "", "nav": nav,
        "notice": context.pop("notice", None), **context}, status_code=status_code, headers=PAGE_HEADERS)


def forbidden(request: Request, user: SignedIn, what: str) -> HTMLResponse:
    return page(request, user, "forbidden.html", status_code=403, what=what, current="")


def back(path: str, **params: str) -> RedirectResponse:
    """After a form: to the page again (POST-redirect-GET), with a short message key."""
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items() if v)
    return RedirectResponse(path + (f"?{query}" if query else ""), status_code=303, headers=PAGE_HEADERS)


def period_of(request: Request) -> tuple[Period, dict[str, str], str | None]:
    """The period from ?preset= or ?since=&until= (UTC days), and ?channel=; an error falls back to 7 days."""
    query = request.query_params
    now = clock_of(request)()
    channel = query.get("channel") or None
    error = None
    if channel is not None and channel not in CHANNELS:
        error, channel = f"unknown channel {channel!r}", None
    since, until = query.get("since") or "", query.get("until") or ""
    chosen = query.get("preset") or ("" if since or until else "7d")
    try:
        if chosen:
            period = preset(chosen if chosen in PRESETS else "7d", now=now, channel=channel)
        else:
            period = between(_day(since) if since else None, _day(until) if until else None, now=now, channel=channel)
    except ValueError as exc:
        error = f"{exc}: showing the last 7 days"
        chosen, period = "7d", preset("7d", now=now, channel=channel)
    last = period.until - dt.timedelta(seconds=1)
    form = {"preset": chosen, "since": f"{period.since:%Y-%m-%d}", "until": f"{last:%Y-%m-%d}", "channel": channel or ""}
    return period, form, error


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def query_string(form: dict[str, str]) -> str:
    if form.get("preset"):
        parts = {"preset": form["preset"], "channel": form.get("channel", "")}
    else:
        parts = {"since": form["since"], "until": form["until"], "channel": form.get("channel", "")}
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in parts.items() if v)
