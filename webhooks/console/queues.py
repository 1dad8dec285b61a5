"""Work queues: callback requests and voicemails (claim, release, done), locked numbers (unlock:
admins only, with a reason) and chat handoffs the agent desk never took (resend)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request

from bot.console import audit, work_queue
from bot.console.work_queue import OUTCOMES, QueueError
from bot.logging_setup import mask
from bot.store.db import transaction
from bot.store.models import Lock
from bot.verification.lockout import unlock
from webhooks.console.deps import Checked, User, back, clock_of, forbidden, page, settings_of
from webhooks.console.exports import context_row, desk_configured, desk_table, locks_table

router = APIRouter()
NOTICES = {
    "claimed": "Claimed: it is yours to call back.", "released": "Released: back in the queue.",
    "done": "Done, with its outcome recorded.", "unlocked": "Unlocked. Earlier failed checks no longer count.",
    "resending": "Resending every undelivered handoff; reload in a moment to see what is left.",
}


def _queues_page(request: Request, user, *, show: str, error: str | None = None, status_code: int = 200):
    show = show if show in ("open", "done", "all") else "open"
    with transaction(settings_of(request).database_url) as session:
        callbacks = work_queue.items(session, "callback", show=show)
        voicemails = work_queue.items(session, "voicemail", show=show)
    return page(request, user, "queues.html", status_code=status_code, current="queues", show=show, error=error,
                callbacks=callbacks, voicemails=voicemails, outcomes=OUTCOMES, context_row=context_row,
                notice=NOTICES.get(request.query_params.get("notice", "")))


@router.get("/queues")
def queues(request: Request, user: User, show: str = "open"):
    return _queues_page(request, user, show=show)


@router.post("/queues/{kind}/{item_id}/{action}")
def queue_action(request: Request, user: Checked, kind: str, item_id: int, action: str,
                 outcome: Annotated[str, Form(max_length=40)] = "", show: Annotated[str, Form(max_length=10)] = "open"):
    if kind not in work_queue.KINDS or action not in ("claim", "release", "complete"):
        return page(request, user, "not_found.html", status_code=404, current="")
    clock = clock_of(request)
    try:
        with transaction(settings_of(request).database_url) as session:
            if action == "claim":
                work_queue.claim(session, kind, item_id, by=user.username, clock=clock)
            elif action == "release":
                work_queue.release(session, kind, item_id, by=user.username, admin=user.admin, clock=clock)
            else:
                work_queue.complete(session, kind, item_id, by=user.username, outcome=outcome, clock=clock)
    except QueueError as exc:
        return _queues_page(request, user, show=show, error=str(exc), status_code=409)
    return back("/console/queues", notice={"claim": "claimed", "release": "released", "complete": "done"}[action],
                show=show if show != "open" else "")


@router.get("/locks")
def locks(request: Request, user: User):
    with transaction(settings_of(request).database_url) as session:
        table = locks_table(session, request)
    return page(request, user, "locks.html", current="locks", table=table,
                notice=NOTICES.get(request.query_params.get("notice", "")))


@router.post("/locks/{lock_id}/unlock")
def unlock_number(request: Request, user: Checked, lock_id: int, reason: Annotated[str, Form(max_length=1000)] = ""):
    if not user.admin:
        return forbidden(request, user, "unlocking a number")
    reason = " ".join(reason.split())
    clock = clock_of(request)
    with transaction(settings_of(request).database_url) as session:
        lock = session.get(Lock, lock_id)
        if lock is None or not reason or len(reason) > 200:
            table = locks_table(session, request)
            error = ("That lock no longer exists." if lock is None
                     else "Give a reason for the unlock (at most 200 characters), without personal details.")
            return page(request, user, "locks.html", status_code=404 if lock is None else 422, current="locks",
                        table=table, error=error)
        number = lock.customer_number
        unlock(session, number, by=user.username, reason=reason, clock=clock)
        audit.record(session, actor=user.username, action="number-unlock", target=mask(number), detail=reason, clock=clock)
    return back("/console/locks", notice="unlocked")


@router.get("/desk")
def desk(request: Request, user: User):
    with transaction(settings_of(request).database_url) as session:
        table = desk_table(session)
    return page(request, user, "desk.html", current="desk", table=table, configured=desk_configured(request),
                notice=NOTICES.get(request.query_params.get("notice", "")))


@router.post("/desk/resend")
def desk_resend(request: Request, user: Checked, background: BackgroundTasks):
    if not desk_configured(request):
        with transaction(settings_of(request).database_url) as session:
            table = desk_table(session)
        return page(request, user, "desk.html", status_code=409, current="desk", table=table, configured=False,
                    error="AGENT_DESK_URL is not set: nothing can be sent.")
    with transaction(settings_of(request).database_url) as session:
        audit.record(session, actor=user.username, action="desk-resend", clock=clock_of(request))
    # Each delivery may back off between attempts: the posts run after the answer, as `bot desk resend` does.
    background.add_task(request.app.state.desk.resend)
    return back("/console/desk", notice="resending")
