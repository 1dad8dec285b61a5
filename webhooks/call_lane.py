"""A call's own webhooks, taken to their endpoints without the framework's per-request layers.

Every turn of every call, its status callback and every SMS is a POST to one of four paths
(`voice.CALL_ROUTES`, `messaging.CALL_ROUTES`): almost all the requests the service answers. Through
FastAPI each one passes seven middleware layers and the router before its endpoint runs, and back out
through them; for these requests those layers do three things, and `CallLane` does the same three:

- believe a listed proxy's X-Forwarded-For and X-Forwarded-Proto (the same ProxyHeadersMiddleware,
  with the same FORWARDED_ALLOW_IPS): the signed URL and the client address depend on it;
- turn an exception into the app's own answer, with the handler Starlette would choose (the
  exception's class, then its bases, in `app.exception_handlers`): 403/413/400 for a bad webhook,
  422 for a bad query, the apology TwiML for a turn out of time or a failure;
- send the endpoint's response (and run its background tasks after it).

Everything else goes through the whole stack: other paths and methods, an app mounted under a root
path, and any request while FastAPI's OpenTelemetry instrumentation is switched on (it traces inside
that stack). The routes stay registered with the router too, so the two ways answer alike
(tests/webhooks/test_call_lane.py sends the same requests both ways).
"""
from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]


class CallLane:
    def __init__(self, app: FastAPI, routes: Iterable[tuple[str, Endpoint]], trusted_hosts: list[str] | str):
        self.app = app
        self.endpoints: dict[str, Endpoint] = dict(routes)
        self._proxied = ProxyHeadersMiddleware(self._serve, trusted_hosts=trusted_hosts)

    def takes(self, scope: Scope) -> bool:
        return (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.endpoints
                and not scope.get("root_path") and not _traced(self.app))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._proxied(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await self.endpoints[scope["path"]](request)
        except Exception as exc:
            response = await self._handled(request, exc)
        await response(scope, receive, send)

    async def _handled(self, request: Request, exc: Exception) -> Response:
        handlers = self.app.exception_handlers
        for kind in type(exc).__mro__:
            handler = handlers.get(kind)
            if handler is not None:
                if inspect.iscoroutinefunction(handler):
                    return await handler(request, exc)
                return await run_in_threadpool(handler, request, exc)
        raise exc  # no handler at all: uvicorn answers 500 and logs it, as it would behind the full stack


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
