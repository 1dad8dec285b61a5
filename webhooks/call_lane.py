"""A call's own webhooks, taken to their endpoints without the framework's per-request layers.

Every turn of every call, its status callback and every SMS is a POST to one of four paths
(`voice.CALL_ROUTES`, `messaging.CALL_ROUTES`): almost all the requests the service answers. Through
FastAPI each one passes seven middleware layers and the router before its endpoint runs, and back out
through them; for these requests those layers do three things, and `CallLane` does the same three:

- believe a listed proxy's X-Forwarded-For and X-Forwarded-Proto (the same ProxyHeadersMiddleware,
  with the same FORWARDED_ALLOW_IPS): the signed URL and the client address depend on it;
- turn an exception into the app's own answer, through Starlette's own two layers for it
  (ExceptionMiddleware, then ServerErrorMiddleware, with the app's handlers split between them as
  FastAPI splits them): 403/413/400 for a bad webhook, 422 for a bad query, and the last-resort
  apology TwiML, after which the error goes on to the server (uvicorn logs it and closes the connection);
- send the endpoint's response (and run its background tasks after it).

Everything else goes through the whole stack: other paths and methods, an app mounted under a root
path, and every request when FastAPI's OpenTelemetry instrumentation was on at the first call (it
traces inside that stack). The routes stay registered with the router too, so the two ways answer alike
(tests/webhooks/test_call_lane.py sends the same requests both ways).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request, Response
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

Endpoint = Callable[[Request], Awaitable[Response]]


class CallLane:
    def __init__(self, app: FastAPI, routes: Iterable[tuple[str, Endpoint]], trusted_hosts: list[str] | str):
        self.app = app
        self.endpoints: dict[str, Endpoint] = dict(routes)
        self.trusted_hosts = trusted_hosts
        # Built on first use, as Starlette builds its stack: the app's handlers are all registered by then.
        self._stack: ASGIApp | None = None
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
        await (self._stack or self._build())(scope, receive, send)

    def _build(self) -> ASGIApp:
        """Starlette's own two error layers, split as FastAPI splits the app's handlers (500 and Exception
        are ServerErrorMiddleware's last resort, the rest ExceptionMiddleware's), around the proxy headers,
        in FastAPI's order; none of the other layers."""
        handlers, last_resort = {}, None
        for key, handler in self.app.exception_handlers.items():
            if key in (500, Exception):
                last_resort = handler
            else:
                handlers[key] = handler
        inner = ExceptionMiddleware(self._endpoint, handlers=handlers, debug=self.app.debug)
        self._stack = ServerErrorMiddleware(ProxyHeadersMiddleware(inner, trusted_hosts=self.trusted_hosts),
                                            handler=last_resort, debug=self.app.debug)
        return self._stack

    async def _endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        response = await self.endpoints[scope["path"]](request)
        await response(scope, receive, send)


def _traced(app: FastAPI) -> bool:
    """FastAPI's own OpenTelemetry instrumentation is on: its spans wrap the full stack, so use that."""
    telemetry = getattr(app, "_native_telemetry", None)
    return telemetry is not None and telemetry.enabled()


class FrontDoorApp(FastAPI):
    """The FastAPI app, with a call's own webhooks served through `call_lane` when it is set."""

    call_lane: CallLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.call_lane
        if lane is not None and lane.takes(scope):
            scope["app"] = self  # what Request.app reads, as Starlette sets it
            await lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
