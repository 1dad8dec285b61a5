"""A call's own webhooks, taken to their endpoints without the framework's per-request layers.

Every turn of every call, its status callback and every SMS is a POST to one of four paths
(`voice.CALL_ROUTES`, `messaging.CALL_ROUTES`): almost all the requests the service answers. Through
FastAPI each one passes seven middleware layers and the router before its endpoint runs, and back out
through them; for these requests those layers do three things, and `CallLane` does the same three:

- believe a listed proxy's X-Forwarded-For and X-Forwarded-Proto (the same ProxyHeadersMiddleware,
  with the same FORWARDED_ALLOW_IPS): the signed URL and the client address depend on it;
- turn an exception into the app's own answer, as Starlette's two layers do: first a handler for
  the HTTP status or the exception's class (then its bases), which answers 403/413/400 for a bad
  webhook and 422 for a bad query; failing that, or when that handler fails, the app's last-resort
  handler (`Exception`), which logs it and answers the apology TwiML, after which the error goes on
  to the server, as ServerErrorMiddleware sends it on (uvicorn logs it again and closes the connection);
- send the endpoint's response (and run its background tasks after it).

Everything else goes through the whole stack: other paths and methods, an app mounted under a root
path, and every request when FastAPI's OpenTelemetry instrumentation was on at the first call (it
traces inside that stack). The routes stay registered with the router too, so the two ways answer alike
(tests/webhooks/test_call_lane.py sends the same requests both ways).
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

Endpoint = Callable[[Request], Awaitable[Response]]


class CallLane:
    def __init__(self, app: FastAPI, routes: Iterable[tuple[str, Endpoint]], trusted_hosts: list[str] | str):
        self.app = app
        self.endpoints: dict[str, Endpoint] = dict(routes)
        self._proxied = ProxyHeadersMiddleware(self._serve, trusted_hosts=trusted_hosts)
        self._handlers: _Handlers | None = None  # read from the app on first use, as Starlette builds its stack
        # Whether FastAPI's OpenTelemetry is on, also read on first use: asking on every request (as FastAPI
        # does) cost 3% of a webhook's processor time, and tracing is set up before a server takes calls.
        self._tracing: bool | None = None

    def takes(self, scope: Scope) -> bool:
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.endpoints
                and not scope.get("root_path") and not self.app.root_path):
            return False
        if self._tracing is None:
            self._tracing = _traced(self.app)
        return not self._tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._proxied(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        handlers = self._handlers or self._read_handlers()
        started = False

        async def sending(message) -> None:
            nonlocal started
            started = True
            await send(message)

        request = Request(scope, receive, sending)
        try:
            try:
                response = await self.endpoints[scope["path"]](request)
                await response(scope, receive, sending)
            except Exception as exc:  # as ExceptionMiddleware: a handler for its status or class
                handler = handlers.for_exception(exc)
                if handler is None:
                    raise
                if started:
                    raise RuntimeError("Caught handled exception, but response already started.") from exc
                response = await _call(handler, request, exc)
                if response is not None:
                    await response(scope, receive, sending)
        except Exception as exc:  # as ServerErrorMiddleware: the last resort answers if nothing was sent
            if handlers.last_resort is None:
                raise
            response = await _call(handlers.last_resort, request, exc)
            if not started:
                await response(scope, receive, send)
            raise

    def _read_handlers(self) -> "_Handlers":
        self._handlers = _Handlers(self.app.exception_handlers)
        return self._handlers


class _Handlers:
    """The app's exception handlers, split as FastAPI's stack splits them: 500 and Exception are the last
    resort (ServerErrorMiddleware's), other status codes and classes ExceptionMiddleware's."""

    def __init__(self, handlers: dict):
        self.last_resort = None
        self.by_status: dict[int, Callable] = {}
        self.by_class: dict[type, Callable] = {}
        for key, handler in handlers.items():
            if key in (500, Exception):
                self.last_resort = handler
            elif isinstance(key, int):
                self.by_status[key] = handler
            else:
                self.by_class[key] = handler

    def for_exception(self, exc: Exception) -> Callable | None:
        if isinstance(exc, HTTPException):
            handler = self.by_status.get(exc.status_code)
            if handler is not None:
                return handler
        for kind in type(exc).__mro__:
            handler = self.by_class.get(kind)
            if handler is not None:
                return handler
        return None


async def _call(handler: Callable, request: Request, exc: Exception):
    target = handler
    while isinstance(target, functools.partial):
        target = target.func
    if inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(getattr(target, "__call__", None)):
        return await handler(request, exc)
    return await run_in_threadpool(handler, request, exc)


def _traced(app: FastAPI) -> bool:
    """FastAPI's own OpenTelemetry instrumentation is on: its spans wrap the full stack, so use that."""
    telemetry = getattr(app, "_native_telemetry", None)
    return telemetry is not None and telemetry.enabled()


class FrontDoorApp(FastAPI):
    """The FastAPI app, with a call's own webhooks served through `call_lane` when it is set."""

    call_lane: CallLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.call_lane
        if lane is not None and scope["type"] == "http" and lane.takes(scope):
            scope["app"] = self  # what Request.app reads, as Starlette sets it
            await lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
