"""The audit trail as CSV or JSON for auditors: every verification decision since a date, oldest
first. It holds what the table holds (factors asked and passed, results, reasons), never answers."""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import VerificationDecision

FIELDS = ("at", "channel", "conversation_id", "session_key", "customer_number", "factors_asked", "factors_passed",
          "result", "reason", "flow_version", "actor")


def decisions(session: Session, *, since: dt.datetime, until: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    query = select(VerificationDecision).where(VerificationDecision.at >= since)
    if until is not None:
        query = query.where(VerificationDecision.at < until)
    # Streamed in batches: an export of a busy year must not be held in memory at once.
    for row in session.scalars(query.order_by(VerificationDecision.at, VerificationDecision.id)
                               .execution_options(yield_per=500)):
        yield {"at": row.at.isoformat(), "channel": row.channel, "conversation_id": row.conversation_id,
               "session_key": row.session_key, "customer_number": row.customer_number,
               "factors_asked": list(row.factors_asked or []), "factors_passed": list(row.factors_passed or []),
               "result": row.result, "reason": row.reason, "flow_version": row.flow_version, "actor": row.actor}


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        # Factor lists as space-separated names; a spreadsheet formula cannot start a field we write.
        flat = {k: " ".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()}
        writer.writerow({k: _no_formula(str(v)) for k, v in flat.items()})
        count += 1
    return count


def write_json(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    out.write("[")
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _no_formula(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
