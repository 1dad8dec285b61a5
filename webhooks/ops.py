"""For operators and load balancers: is the process alive, can it serve, and what has it done.

GET /healthz   200 while the process answers; touches nothing else (a liveness probe)
GET /readyz    200 when the database answers and the live flow version is loaded, else 503 (a readiness probe)
GET /metrics   Prometheus text format; a bearer token (METRICS_TOKEN) or an allowed address (METRICS_ALLOW_IPS)
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from bot import metrics
from bot.store.db import get_engine

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

# Well inside a load balancer's usual probe timeout: a hung database makes the answer 503, not a hang.
READY_TIMEOUT_SECONDS = 3.0
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def _ready(request: Request) -> str:
    with get_engine(request.app.state.settings.database_url).connect() as connection:
        connection.execute(text("SELECT 1"))
    return request.app.state.conversations.bundle().version


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    # One check at a time: while the database hangs, probes do not pile up threads waiting on it.
    check = getattr(request.app.state, "readiness_check", None)
    if check is None or check.done():
        check = request.app.state.readiness_check = asyncio.ensure_future(run_in_threadpool(_ready, request))
    try:
        version = await asyncio.wait_for(asyncio.shield(check), READY_TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        return _unready("the database did not answer in time")
    except LookupError as exc:  # no flow version published, or the live one is not stored
        return _unready(str(exc))
    except Exception as exc:
        log.warning("not ready: %s", exc.__class__.__name__)
        return _unready("the database is unreachable")
    return JSONResponse({"status": "ready", "flow_version": version}, headers=NO_STORE)


def _unready(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503, headers=NO_STORE)


def _allowed(request: Request) -> None:
    settings = request.app.state.settings
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if settings.metrics_token and scheme.lower() == "bearer" and token.strip() and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()):
        return
    networks = settings.metrics_networks
    if networks and request.client is not None:
        try:
            address = ipaddress.ip_address(request.client.host)
        except ValueError:
            address = None
        if address is not None and any(address in network for network in networks):
            return
    if settings.metrics_token:
        raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    raise HTTPException(403, "metrics are not open to this address; set METRICS_TOKEN or METRICS_ALLOW_IPS")


@router.get("/metrics")
def prometheus(request: Request) -> Response:
    _allowed(request)
    body = metrics.exposition(request.app.state.settings.database_url)
    return Response(body, media_type=metrics.CONTENT_TYPE, headers=NO_STORE)
