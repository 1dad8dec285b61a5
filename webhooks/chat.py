"""Web chat: the JSON API the widget talks to, and the widget itself (plain HTML, CSS and JavaScript).

POST /chat/sessions                       -> 201 {"session_id", "token", "messages"}
POST /chat/sessions/{id}/messages         -> 200 {"messages", "ended", "handoff"}   (Authorization: Bearer <token>)
GET  /chat                                -> the widget; GET /chat/static/embed.js puts it on another site
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from bot.chat.ratelimit import client_bucket, session_bucket
from bot.chat.render import chat_messages
from bot.engine.io import Reply
from webhooks.texts import send_after_reply
from webhooks import observe
from webhooks.offload import in_time

router = APIRouter(prefix="/chat")
STATIC = Path(__file__).with_name("static")
# The widget's files, by the name in the URL: nothing else in the folder is served.
ASSETS = {"chat.css": "text/css", "chat.js": "text/javascript", "embed.js": "text/javascript"}
MAX_BODY_BYTES = 8 * 1024
NO_STORE = {"Cache-Control": "no-store"}
# The page loads only its own files and talks only to this server.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def render_json(reply: Reply, turn: int) -> str:
    return json.dumps({
        "messages": chat_messages(reply),
        "ended": bool(reply.end or reply.handoff is not None),
        "handoff": reply.handoff.context if reply.handoff is not None else None,
    })


def _unauthorized() -> HTTPException:
    # Identical for an unknown session and a wrong token: the answer says nothing about which.
    return HTTPException(401, "missing or invalid chat token", headers={"WWW-Authenticate": "Bearer", **NO_STORE})


def _too_many(wait: int) -> HTTPException:
    return HTTPException(429, f"too many requests; try again in {wait} seconds",
                         headers={"Retry-After": str(wait), **NO_STORE})


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _read_body(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise HTTPException(413, f"request body too large: at most {MAX_BODY_BYTES} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"request body too large: at most {MAX_BODY_BYTES} bytes")
    return body


def _text(body: bytes, max_chars: int) -> str:
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise HTTPException(422, 'expected a JSON body: {"text": "your message"}') from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise HTTPException(422, 'expected a JSON body with a "text" string: {"text": "your message"}')
    text = data["text"]
    if len(text) > max_chars:
        raise HTTPException(422, f"message too long: at most {max_chars} characters, got {len(text)}")
    if not text.strip():
        raise HTTPException(422, "message is empty")
    return text


@router.post("/sessions", status_code=201)
async def start_session(request: Request, background: BackgroundTasks) -> JSONResponse:
    settings, chat = request.app.state.settings, request.app.state.chat
    wait = await in_time(request, chat.throttle, [(client_bucket(_client(request)), settings.chat_rate_limit_per_client)],
                                   window_seconds=settings.chat_rate_window_seconds)
    if wait is not None:
        raise _too_many(wait)
    observe.turn_started(request)
    new, turn = await in_time(request, chat.start_web, render=render_json,
                                        window_seconds=settings.chat_rate_window_seconds,
                                        client_address=_client(request))
    observe.turn_done(request, "web", turn)
    if turn.delivery_id:
        background.add_task(request.app.state.desk.deliver, turn.delivery_id)
    reply = json.loads(turn.body)
    return JSONResponse({"session_id": new.session_id, "token": new.token, "messages": reply["messages"]},
                        status_code=201, headers=NO_STORE)


@router.post("/sessions/{session_id}/messages")
async def send_message(session_id: str, request: Request, background: BackgroundTasks) -> Response:
    settings, chat = request.app.state.settings, request.app.state.chat
    window = settings.chat_rate_window_seconds
    body = await _read_body(request)
    wait = await in_time(request, chat.throttle, [(client_bucket(_client(request)), settings.chat_rate_limit_per_client)],
                                   window_seconds=window)
    if wait is not None:
        raise _too_many(wait)
    access = await in_time(request, chat.web_access, session_id=session_id, token=_bearer(request))
    if access is None:
        raise _unauthorized()
    wait = await in_time(request, chat.throttle, [(session_bucket(access.session_id), settings.chat_rate_limit_per_session)],
                                   window_seconds=window)
    if wait is not None:
        raise _too_many(wait)
    text = _text(body, settings.chat_max_message_chars)
    if access.ended:
        raise HTTPException(410, "this chat has ended; start a new chat", headers=NO_STORE)
    if access.expired:
        raise HTTPException(410, f"this chat ended after {settings.chat_idle_minutes} minutes without a message; "
                                 "start a new chat", headers=NO_STORE)
    observe.turn_started(request)
    turn = await in_time(request, chat.web_message, access, text=text, render=render_json)
    observe.turn_done(request, "web", turn)
    if turn.delivery_id:
        background.add_task(request.app.state.desk.deliver, turn.delivery_id)
    send_after_reply(request, turn.texts, background)
    return Response(content=turn.body, media_type="application/json", headers=NO_STORE)


@router.get("", include_in_schema=False)
def widget() -> FileResponse:
    return FileResponse(STATIC / "chat.html", media_type="text/html", headers=PAGE_HEADERS)


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, "not found")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"X-Content-Type-Options": "nosniff"})
