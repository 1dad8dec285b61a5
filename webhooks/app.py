"""create_app(): the FastAPI application Twilio and the chat widget talk to."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot import keys
from bot.chat.desk import AgentDesk
from bot.chat.service import ChatService
from bot.deadline import TurnTimedOut
from bot.engine.bundle import FlowBundle
from bot.flow_registry import FlowRegistry
from bot.logging_setup import configure_logging
from bot.outgoing_texts import TwilioTexts
from bot.self_service import SelfServiceClient
from bot.settings import Settings, get_settings
from bot.store.db import serve_within
from bot.turns import Conversations
from bot.verification.one_time_codes import TwilioVerify
from webhooks import chat, console, fallback, messaging, ops, voice
from webhooks.call_lane import CallLane, FrontDoorApp

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, bundle: FlowBundle | None = None,
               clock: Callable[[], dt.datetime] | None = None, texts: TwilioTexts | None = None) -> FrontDoorApp:
    """`clock` is for tests (a fixed time for opening hours); production uses the real one."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    # This process answers webhooks: its database waits are bounded inside a turn's deadline.
    serve_within(settings.turn_timeout_seconds, settings.database_pool_size)
    # No data key, no start: answers would otherwise be stored readable (bot.keys says what to set).
    keys.install(keys.from_settings(settings))
    # Flows are checked before the first call: a broken file stops start-up with file and line.
    # What runs is the published version (FLOWS_DIR is published on the very first start).
    registry = FlowRegistry(region=settings.default_region, workflow_sid=settings.twilio_workflow_sid,
                            one_time_codes=settings.verify_configured)
    if bundle is not None:
        registry.remember(bundle)
    else:
        registry.bootstrap(settings.database_url, settings.flows_dir)
    if not settings.twilio_validate_signature:
        log.warning("TWILIO_VALIDATE_SIGNATURE=false: Twilio signatures are NOT checked (local demo only)")
    elif not settings.twilio_auth_token:
        log.warning("TWILIO_AUTH_TOKEN is not set: Twilio webhooks will be refused with 403")

    # No API pages: they would load scripts from a CDN and tell a stranger every route. DEBUG=true
    # serves the API description alone, at /openapi.json.
    app = FrontDoorApp(title="Verification front door", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json" if settings.debug else None)
    # The client's address is the one a listed proxy saw (X-Forwarded-For), else the connection's own.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies)
    app.state.settings = settings
    app.state.flows = registry
    texts = texts if texts is not None else TwilioTexts.from_settings(settings)
    app.state.conversations = Conversations(settings.database_url, bundle if bundle is not None else registry,
                                            **({"clock": clock} if clock else {}),
                                            otp=TwilioVerify.from_settings(settings),
                                            self_service=SelfServiceClient.from_settings(settings),
                                            can_text=texts is not None)
    app.state.desk = AgentDesk.from_settings(settings)
    app.state.chat = ChatService(app.state.conversations, app.state.desk, idle_minutes=settings.chat_idle_minutes)
    if not app.state.desk.configured:
        log.warning("AGENT_DESK_URL is not set: chat handoffs are kept as dead letters in desk_deliveries")
    app.state.texts = texts
    if app.state.texts is None:
        log.warning("TWILIO_SMS_FROM is not set: customers are not texted when their number locks, and "
                    "forgotten customer numbers cannot be sent")
    # A call's own webhooks (each turn, the status callback, each SMS) are the app's first routes, plain
    # Starlette ones: matched before anything else, without FastAPI's included-router machinery, which
    # cost about a tenth of these requests' web-layer work (benchmarks/web_layer.py). The call lane
    # serves them without the middleware layers too (webhooks/call_lane.py says what it keeps of them).
    call_routes = (*voice.CALL_ROUTES, *messaging.CALL_ROUTES)
    for path, endpoint in call_routes:
        app.router.add_route(path, endpoint, methods=["POST"])
    app.call_lane = CallLane(app, call_routes, trusted_hosts=settings.proxies)
    app.include_router(voice.router)
    app.include_router(messaging.router)
    app.include_router(chat.router)
    app.include_router(console.router)
    app.include_router(fallback.router)
    app.include_router(ops.router)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Query or body fields of the wrong type: a clear 422 without echoing the input back.
        return JSONResponse({"detail": [{"loc": e.get("loc"), "msg": e.get("msg")} for e in exc.errors()]},
                            status_code=422)

    @app.exception_handler(TurnTimedOut)
    async def _too_slow(request: Request, exc: TurnTimedOut) -> Response:
        # The database (or a look-up) did not answer inside TURN_TIMEOUT_SECONDS: an answer now, not silence.
        log.warning("%s did not finish within TURN_TIMEOUT_SECONDS=%g", request.url.path,
                    request.app.state.settings.turn_timeout_seconds)
        if request.url.path.startswith("/twilio/voice"):
            return Response(voice.apology(), media_type="text/xml")
        if request.url.path.startswith("/twilio/messaging"):
            return Response(messaging.apology(), media_type="text/xml")
        return JSONResponse({"detail": "we could not answer in time; please send that again in a moment"},
                            status_code=503, headers={"Retry-After": "2", "Cache-Control": "no-store"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        # Twilio gets TwiML that still reaches a person; the chat widget a JSON error it can show.
        if request.url.path.startswith("/twilio/voice"):
            return Response(voice.apology(), media_type="text/xml")
        if request.url.path.startswith("/twilio/messaging"):
            return Response(messaging.apology(), media_type="text/xml")
        return JSONResponse({"detail": "temporarily unavailable; please try again shortly"}, status_code=503,
                            headers={"Retry-After": "5"})

    return app
