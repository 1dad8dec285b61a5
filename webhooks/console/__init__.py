"""The supervisors' console at /console: server-rendered pages (Jinja2), SVG charts drawn here,
one small stylesheet, no script; every figure comes from bot.reporting, every action from bot.console."""
from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from webhooks.console import admin, auth, flows, queues, reports, try_it
from webhooks.console.deps import PAGE_HEADERS

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console/overview", status_code=303, headers=PAGE_HEADERS)


for module in (auth, reports, flows, try_it, queues, admin):
    router.include_router(module.router)

__all__ = ["router"]
