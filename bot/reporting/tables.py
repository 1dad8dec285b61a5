"""Every report as plain tables: the one shape that CSV, JSON, the terminal and the console's
export links all print, so they cannot disagree."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

from bot.reporting import handoffs as handoff_measures
from bot.reporting import recoveries as recovery_measures
from bot.reporting.funnel import MEASURES, WORST, Funnel
from bot.reporting.overview import CONTAINMENT, OUTCOMES, VERIFICATION, Overview
from bot.reporting.variants import CALL, CONVERSATIONS, QUESTION, ABTest

FORMATS = ("table", "csv", "json")
# A spreadsheet would run a cell starting with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    name: str  # the file name of its export
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([key for key, _ in self.columns])
        for row in self.rows:
            writer.writerow([_csv_cell(row.get(key)) for key, _ in self.columns])
        return buffer.getvalue()

    def to_json(self) -> str:
        return json.dumps({"table": self.name, "title": self.title, "columns": [k for k, _ in self.columns],
                           "rows": [{k: _json_value(row.get(k)) for k, _ in self.columns} for row in self.rows],
                           "notes": self.notes}, indent=2, ensure_ascii=False)


def pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _csv_cell(value: Any) -> Any:
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def funnel_table(report: Funnel) -> Table:
    columns = [("step", "step")]
    for measure in MEASURES:
        columns.append((measure.key, measure.label))
        if measure.key != "reached":
            columns.append((f"{measure.key}_pct", f"{measure.label} %"))
    columns.append(("worst", "worst"))
    rows = []
    for row in report.rows:
        values: dict[str, Any] = {"step": row.step, "worst": row.worst}
        for measure in MEASURES:
            values[measure.key] = row.counts[measure.key]
            if measure.key != "reached":
                values[f"{measure.key}_pct"] = pct(row.counts[measure.key], row.reached)
        rows.append(values)
    notes = [f"{report.conversations} conversations, {report.period.describe()}; % of reached"]
    notes += [m.legend() for m in MEASURES] + [f"worst: {WORST}"]
    return Table("funnel", "Funnel per question", columns, rows, notes)


def variants_tables(tests: list[ABTest]) -> tuple[Table, Table]:
    measures = [CONVERSATIONS] + [m for m, _ in (*QUESTION, *CALL)]
    columns = [("test", "test"), ("step", "question"), ("variant", "variant"), ("wording", "wording")]
    for measure in measures:
        columns.append((measure.key, measure.label))
        if measure is not CONVERSATIONS:
            columns.append((f"{measure.key}_pct", f"{measure.label} %"))
    columns.append(("verdict", "verdict"))
    rows = []
    for test in tests:
        for figures in test.variants:
            values: dict[str, Any] = {"test": test.name, "step": test.step, "variant": figures.variant,
                                      "wording": " | ".join(f"{k}: {t}" if k else t for k, t in figures.wording),
                                      "verdict": test.verdict}
            for measure in measures:
                values[measure.key] = figures.counts[measure.key]
                if measure is not CONVERSATIONS:
                    values[f"{measure.key}_pct"] = pct(figures.counts[measure.key], figures.conversations)
            rows.append(values)
    comparisons = Table("variant-differences", "Differences between the wordings (B - A, 95% confidence)",
                        [("test", "test"), ("measure", "measure"), ("difference_points", "B - A (points)"),
                         ("ci_low_points", "95% CI low"), ("ci_high_points", "95% CI high"), ("better", "better")],
                        [{"test": t.name, "measure": c.measure.key, "difference_points": round(c.difference * 100, 1),
                          "ci_low_points": round(c.low * 100, 1), "ci_high_points": round(c.high * 100, 1),
                          "better": c.better or ""} for t in tests for c in t.comparisons],
                        ["Newcombe's hybrid score interval (Wilson intervals for each variant)"])
    notes = [m.legend() for m in measures]
    return Table("variants", "A/B variants", columns, rows, notes), comparisons


def overview_tables(report: Overview) -> dict[str, Table]:
    period = report.period.describe()
    channels = list(report.channels)
    per_day = Table("conversations-per-day", "Conversations per day by channel",
                    [("day", "day"), *((ch, ch) for ch in channels), ("total", "total")],
                    [{"day": d.day, **d.counts, "total": d.total} for d in report.days],
                    [f"{report.conversations} conversations, {period}; a conversation counts on the day it started"])
    verification = Table("verification", "Verification rate",
                         [("channel", "channel"), ("reached", "reached a verification question"),
                          ("verified", "verified"), ("rate_pct", "verified %")],
                         [{"channel": v.channel, "reached": v.reached, "verified": v.verified,
                           "rate_pct": pct(v.verified, v.reached)} for v in report.verification],
                         [VERIFICATION.legend()])
    finished = report.conversations - report.outcomes["in_progress"]
    outcomes = Table("outcomes", "How conversations ended",
                     [("outcome", "outcome"), ("conversations", "conversations"), ("pct", "% of all")],
                     [{"outcome": m.key, "conversations": report.outcomes[m.key],
                       "pct": pct(report.outcomes[m.key], report.conversations)} for m in OUTCOMES],
                     [m.legend() for m in OUTCOMES] + [
                         f"{CONTAINMENT.legend()}: {pct(report.outcomes['contained'], finished)}% "
                         f"({report.outcomes['contained']} of {finished})" if finished else
                         f"{CONTAINMENT.legend()}: no conversation is over yet"])
    departments = Table("departments", "Handed off and contained after hours, by department",
                        [("department", "department"), ("handed_off", "handed off"),
                         ("contained", "contained (after hours)")],
                        [{"department": d.department, "handed_off": d.handed_off, "contained": d.contained}
                         for d in report.departments],
                        ["contained (after hours): a callback request, a voicemail or a text with a link while closed"])
    found = [per_day, verification, outcomes, departments, handoffs_table(report), recoveries_table(report)]
    if report.locks is not None:
        found.append(locks_today_table(report))
    return {t.name: t for t in found}


def handoffs_table(report: Overview) -> Table:
    h = handoff_measures
    columns = [("channel", "channel"), ("department", "department"), (h.HANDED_OVER.key, h.HANDED_OVER.label)]
    for measure in h.RESULTS:
        columns += [(measure.key, measure.label), (f"{measure.key}_pct", f"{measure.label} %")]
    columns += [(h.PENDING.key, h.PENDING.label), (h.AVERAGE_WAIT.key, h.AVERAGE_WAIT.label),
                (h.LONGEST_WAIT.key, h.LONGEST_WAIT.label)]
    found = report.handoffs.rows + ([report.handoffs.total] if report.handoffs.total else [])
    rows = []
    for item in found:
        values: dict[str, Any] = {"channel": item.channel, "department": item.department,
                                  "handed_over": item.handed_over, "pending": item.pending,
                                  "average_wait_seconds": None if item.average_wait_seconds is None
                                  else round(item.average_wait_seconds, 1),
                                  "longest_wait_seconds": item.longest_wait_seconds}
        for measure in h.RESULTS:
            values[measure.key] = getattr(item, measure.key)
            values[f"{measure.key}_pct"] = pct(getattr(item, measure.key), item.ended)
        rows.append(values)
    notes = [f"{report.period.describe()}; the handoffs of the period's conversations; {h.SHARE_OF}"]
    notes += [m.legend() for m in (h.HANDED_OVER, *h.RESULTS, h.PENDING, h.AVERAGE_WAIT, h.LONGEST_WAIT)]
    notes.append("chat handoffs go to the agent desk: how they end is not recorded here")
    return Table("handoff-outcomes", "How handoffs ended, and the wait", columns, rows, notes)


def recoveries_table(report: Overview) -> Table:
    r = recovery_measures
    columns = [("channel", "channel"), (r.ATTEMPTED.key, r.ATTEMPTED.label)]
    for measure in r.RESULTS:
        columns += [(measure.key, measure.label), (f"{measure.key}_pct", f"{measure.label} %")]
    columns.append((r.UNAVAILABLE.key, r.UNAVAILABLE.label))
    rows = []
    for item in report.recoveries:
        values: dict[str, Any] = {"channel": item.channel, **item.counts}
        for measure in r.RESULTS:
            values[f"{measure.key}_pct"] = pct(item.counts[measure.key], item.attempted)
        rows.append(values)
    notes = [f"{report.period.describe()}; % of attempted; a recovery counts in the period its conversation started"]
    notes += [m.legend() for m in (r.ATTEMPTED, *r.RESULTS, r.UNAVAILABLE)]
    return Table("recoveries", "Customer numbers recovered by SMS", columns, rows, notes)


def locks_today_table(report: Overview) -> Table:
    locks = report.locks
    return Table("locks-today", "Locks today", [("day", "day (UTC)"), ("locks_set", "locks set"),
                                                ("locked_now", "locked now")],
                 [{"day": locks.day, "locks_set": locks.today, "locked_now": locks.locked_now}],
                 ["all channels: a lock is on a customer number, whichever channel the failures came from; "
                  "today, whatever the period"])
