"""Cost of the log redaction filter per record, on the lines a busy server writes.

Every record passes the filter on its way to every handler, so this is paid on each webhook (the
access log line and the turn line). Run: .venv/bin/python benchmarks/redaction.py [--quick]

Measured 30 Nov 2026 on the 2-core development machine (load average ~4), microseconds per record,
the filter of main before issue 11 against this one, in the same run:
    access log line 23.8 -> 6.6, turn line 19.9 -> 11.3, plain message 18.4 -> 0.9,
    line with a customer number 26.9 -> 14.1
"""
from __future__ import annotations

import logging
import sys
import time

from bot.logging_setup import RedactionFilter

# (label, logger, format, args): what the server logs on the hot path, and the rarer lines with data in them.
RECORDS = [
    ("access log line", "uvicorn.access", '%s - "%s %s HTTP/%s" %d',
     ("127.0.0.1:50412", "POST", "/twilio/voice/turn?t=3", "1.1", 200)),
    ("turn line", "bot.turns", "conversation %s turn %s at %s: %s",
     ("4f3a9c01d2e34b5f8a9b0c1d2e3f4a5b", 3, "date_of_birth", "answered")),
    ("plain message", "bot.chat.desk", "AGENT_DESK_URL is not set: chat handoffs are kept as dead letters", ()),
    ("line with a customer number", "bot.verification", "customer %s entered, born %s, postcode %s",
     ("1023456781", "1985-03-03", "SW1A 1AA")),
]


def per_record(label: str, name: str, msg: str, args: tuple, count: int) -> float:
    flt = RedactionFilter()
    records = [logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None) for _ in range(count)]
    started = time.perf_counter()
    for record in records:
        flt.filter(record)
        record.getMessage()  # what a formatter does next
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    count = 20_000 if "--quick" in sys.argv else 200_000
    print(f"redaction filter + getMessage, {count:,} records each (microseconds per record):")
    for label, name, msg, args in RECORDS:
        print(f"  {label:<30} {per_record(label, name, msg, args, count):6.2f} us")


if __name__ == "__main__":
    main()
