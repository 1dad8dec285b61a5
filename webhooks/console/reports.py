"""Overview, funnel and variants pages, and the CSV/JSON export of every console table."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.console import audit
from bot.reporting import funnel, handoffs, load_facts, overview, overview_tables, recoveries, variants
from bot.reporting.funnel import MEASURES, WORST
from bot.reporting.measures import percent, seconds
from bot.reporting.overview import CONTAINMENT, OUTCOMES, VERIFICATION
from bot.reporting.variants import CALL, QUESTION
from bot.store.db import transaction
from webhooks.console import charts
from webhooks.console.deps import PAGE_HEADERS, User, clock_of, forbidden, page, period_of, query_string, settings_of
from webhooks.console.exports import NAMES, REPORTS, build

router = APIRouter()
OUTCOME_LABELS = {m.key: m.label for m in OUTCOMES}


def _report_page(request: Request, user, template: str, current: str, **context):
    period, form, error = period_of(request)
    return page(request, user, template, period=period, form=form, error=error, query=query_string(form),
                current=current, channels=("voice", "sms", "whatsapp", "web"), percent=percent, **context)


@router.get("/overview")
def overview_page(request: Request, user: User):
    period, _, _ = period_of(request)
    lockout = request.app.state.conversations.bundle().lockout
    with transaction(settings_of(request).database_url) as session:
        facts = load_facts(session, period)
        report = overview(session, period, facts, now=clock_of(request)(), lockout=lockout)
    tables = overview_tables(report)
    days = [f"{d.day:%d %b}" for d in report.days]
    per_day = charts.columns(
        "Conversations per day by channel",
        f"{report.conversations} conversations; " + "; ".join(f"{d.day:%d %b}: {d.total}" for d in report.days),
        days, [(ch, ch, [d.counts[ch] for d in report.days]) for ch in report.channels])
    verification = charts.bars(
        "Verification rate by channel", "; ".join(f"{v.channel}: {v.verified} of {v.reached}" for v in report.verification),
        [(v.channel, [("verified", "verified", v.verified), ("not verified", "not_verified", v.reached - v.verified)])
         for v in report.verification],
        note={v.channel: f"{percent(v.verified, v.reached)} ({v.verified}/{v.reached})" for v in report.verification})
    ended = charts.bars(
        "How conversations ended", "; ".join(f"{OUTCOME_LABELS[k]}: {n}" for k, n in report.outcomes.items()),
        [(OUTCOME_LABELS[k], [(OUTCOME_LABELS[k], k, n)]) for k, n in report.outcomes.items()],
        note={OUTCOME_LABELS[k]: f"{n} ({percent(n, report.conversations)})" for k, n in report.outcomes.items()})
    departments = charts.bars(
        "Handed off and contained by department",
        "; ".join(f"{d.department}: {d.handed_off} handed off, {d.contained} contained after hours" for d in report.departments),
        [(d.department, [("handed off", "handed_off", d.handed_off), ("contained (after hours)", "contained", d.contained)])
         for d in report.departments])
    found = {"per_day": per_day, "verification": verification, "ended": ended, "departments": departments}
    if report.handoffs.rows:
        found["handoffs"] = _handoffs_chart(report.handoffs.rows)
    if report.recoveries:
        found["recoveries"] = _recoveries_chart(report.recoveries)
    return _report_page(request, user, "overview.html", "overview", report=report, tables=tables,
                        charts=found, seconds=seconds,
                        definitions=[VERIFICATION, CONTAINMENT, *OUTCOMES],
                        handoff_definitions=[handoffs.HANDED_OVER, *handoffs.RESULTS, handoffs.PENDING,
                                             handoffs.AVERAGE_WAIT],
                        recovery_definitions=[recoveries.ATTEMPTED, *recoveries.RESULTS, recoveries.UNAVAILABLE])


def _handoffs_chart(rows):
    def name(row):
        return f"{row.department} ({row.channel})"

    segments = [*((m.label, m.key) for m in handoffs.RESULTS), (handoffs.PENDING.label, handoffs.PENDING.key)]
    return charts.bars(
        "How handoffs ended, by department",
        "; ".join(f"{name(r)}: " + ", ".join(f"{getattr(r, key)} {label}" for label, key in segments)
                  + f", average wait {seconds(r.average_wait_seconds)}" for r in rows),
        [(name(r), [(label, key, getattr(r, key)) for label, key in segments]) for r in rows],
        note={name(r): f"{percent(r.answered, r.ended)} answered, avg wait {seconds(r.average_wait_seconds)}"
              for r in rows})


def _recoveries_chart(rows):
    shown = [r for r in rows if r.channel == "all" or r.attempted]
    return charts.bars(
        "Number recoveries by channel",
        "; ".join(f"{r.channel}: {r.attempted} attempted, " + ", ".join(f"{r.counts[m.key]} {m.label}"
                                                                       for m in recoveries.RESULTS) for r in shown),
        [(r.channel, [(m.label, m.key, r.counts[m.key]) for m in recoveries.RESULTS]) for r in shown],
        note={r.channel: f"{r.counts['texted']} of {r.attempted} texted" for r in shown})


@router.get("/funnel")
def funnel_page(request: Request, user: User):
    period, _, _ = period_of(request)
    with transaction(settings_of(request).database_url) as session:
        report = funnel(session, period)
    return _report_page(request, user, "funnel.html", "funnel", report=report, measures=MEASURES, worst_definition=WORST)


@router.get("/variants")
def variants_page(request: Request, user: User):
    period, _, _ = period_of(request)
    with transaction(settings_of(request).database_url) as session:
        tests = variants(session, period)
    return _report_page(request, user, "variants.html", "variants", tests=tests,
                        question=[m for m, _ in QUESTION], call=[m for m, _ in CALL])


@router.get("/export/{name}.{fmt}")
def export(request: Request, user: User, name: str, fmt: str, show: str = "open"):
    if name not in NAMES or fmt not in ("csv", "json"):
        return page(request, user, "not_found.html", status_code=404, current="")
    period, _, _ = period_of(request)
    with transaction(settings_of(request).database_url) as session:
        table = build(session, name, request, period, user, show if show in ("open", "done", "all") else "open")
        if table is None:
            return forbidden(request, user, "this export")
        audit.record(session, actor=user.username, action="export", target=f"{name}.{fmt}",
                     detail=period.describe() if name in REPORTS else None, clock=clock_of(request))
    body, media = (table.to_csv(), "text/csv") if fmt == "csv" else (table.to_json(), "application/json")
    return Response(body, media_type=f"{media}; charset=utf-8", headers={
        **PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
