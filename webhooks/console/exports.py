"""Every table the console shows, by name, as a bot.reporting Table: the page and its CSV/JSON
export are built from the same rows."""
from __future__ import annotations

from fastapi import Request

from bot.chat.desk import AgentDesk
from bot.console import audit, users, work_queue
from bot.console.sessions import SignedIn
from bot.logging_setup import mask
from bot.reporting import Period, Table, funnel, funnel_table, load_facts, overview, overview_tables, variants, variants_tables
from bot.reporting.locks import locked_now
from bot.store.models import DeskDelivery
from webhooks.console.deps import clock_of

REPORTS = ("conversations-per-day", "verification", "outcomes", "departments", "handoff-outcomes", "recoveries",
           "locks-today", "funnel", "variants", "variant-differences")
QUEUES = ("callbacks", "voicemails", "locks", "desk")
ADMIN_ONLY = ("audit", "users")
NAMES = REPORTS + QUEUES + ADMIN_ONLY
CONTEXT_KEYS = ("customer_number", "verified", "factors", "channel", "language", "locked", "reason")


def report_tables(session, period: Period, request: Request) -> dict[str, Table]:
    facts = load_facts(session, period)
    tables = overview_tables(overview(session, period, facts, now=clock_of(request)(),
                                      lockout=request.app.state.conversations.bundle().lockout))
    tables["funnel"] = funnel_table(funnel(session, period, facts))
    found, differences = variants_tables(variants(session, period, facts))
    tables["variants"], tables["variant-differences"] = found, differences
    return tables


def context_row(context: dict) -> dict:
    """The caller's context as staff may see it: the number masked, never an answer."""
    row = {key: context.get(key) for key in CONTEXT_KEYS}
    row["customer_number"] = mask(row["customer_number"]) if row["customer_number"] else None
    row["factors"] = " ".join(row["factors"] or [])
    return row


def queue_table(session, kind: str, show: str) -> Table:
    items = work_queue.items(session, kind, show=show)
    when = "requested_at" if kind == "callback" else "left_at"
    columns = [("id", "id"), (when, "when"), ("department", "department"), ("status", "status"),
               ("claimed_by", "claimed by"), ("claimed_at", "claimed at"), ("done_at", "done at"), ("outcome", "outcome")]
    columns += [("phone", "phone")] if kind == "callback" else [("recording_url", "recording"), ("duration_seconds", "seconds")]
    columns += [(key, key.replace("_", " ")) for key in CONTEXT_KEYS]
    rows = [{"id": i.id, when: i.at, "department": i.department, "status": i.status, "claimed_by": i.claimed_by,
             "claimed_at": i.claimed_at, "done_at": i.done_at, "outcome": i.outcome,
             "phone": mask(i.phone) if i.phone else None, "recording_url": i.recording_url,
             "duration_seconds": i.duration_seconds, **context_row(i.context)} for i in items]
    return Table(f"{kind}s", "Callback requests" if kind == "callback" else "Voicemails", columns, rows,
                 ["oldest first; phone and customer numbers masked to their last four"])


def locks_table(session, request: Request) -> Table:
    lockout = request.app.state.conversations.bundle().lockout
    rows = [{"lock_id": item.lock_id, "customer_number": mask(item.customer_number), "locked_at": item.locked_at,
             "failures": item.failures} for item in locked_now(session, lockout, now=clock_of(request)())]
    return Table("locks", "Locked numbers", [("lock_id", "lock"), ("customer_number", "customer number"),
                                              ("locked_at", "locked at"), ("failures", "failures in the window")], rows,
                 [f"locked after {lockout.threshold} failed checks in {lockout.window_hours:g} hours; numbers masked"])


def desk_table(session) -> Table:
    from sqlalchemy import select

    rows = [{"id": d.id, "conversation_id": d.conversation_id, "status": d.status, "attempts": d.attempts,
             "last_error": d.last_error, "created_at": d.created_at, "updated_at": d.updated_at}
            for d in session.scalars(select(DeskDelivery).where(DeskDelivery.status.in_(("dead", "pending")))
                                     .order_by(DeskDelivery.created_at))]
    return Table("desk", "Chat handoffs not delivered to the agent desk",
                 [("id", "delivery"), ("conversation_id", "conversation"), ("status", "status"), ("attempts", "attempts"),
                  ("last_error", "last error"), ("created_at", "created"), ("updated_at", "last try")], rows,
                 ["dead letters wait for a resend; pending ones are still being retried"])


def audit_table(session) -> Table:
    return Table("audit", "Console audit", [("at", "when"), ("actor", "who"), ("action", "what"), ("target", "on"),
                                            ("detail", "detail")],
                 [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail}
                  for e in audit.entries(session)], ["newest first; append-only"])


def users_table(session) -> Table:
    return Table("users", "Console users", [("username", "user"), ("role", "role"), ("active", "active"),
                                            ("created_at", "created"), ("last_login_at", "last sign-in")],
                 [{"username": u.username, "role": u.role, "active": u.active, "created_at": u.created_at,
                   "last_login_at": u.last_login_at} for u in users.listing(session)])


def build(session, name: str, request: Request, period: Period, user: SignedIn, show: str = "open") -> Table | None:
    """The named table, or None when it does not exist (or is for admins and the user is not one)."""
    if name in REPORTS:
        return report_tables(session, period, request)[name]
    if name in ("callbacks", "voicemails"):
        return queue_table(session, name[:-1], show)
    if name == "locks":
        return locks_table(session, request)
    if name == "desk":
        return desk_table(session)
    if name in ADMIN_ONLY and user.admin:
        return audit_table(session) if name == "audit" else users_table(session)
    return None


def desk_configured(request: Request) -> bool:
    desk: AgentDesk = request.app.state.desk
    return desk.configured
