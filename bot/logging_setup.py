"""Logging with a redaction filter on every handler: customer numbers masked to their last four,
dates, postcodes, emails and codes removed, whatever a message or its arguments contain."""
from __future__ import annotations

import logging
import re

# Identifiers that are safe and useful in logs: Twilio SIDs and our own conversation ids.
_SAFE_ID = re.compile(r"\b(?:[A-Z]{2})?[0-9a-f]{32}\b"
                      # flow versions and content hashes: lower-case hex with letters in it
                      r"|\b(?=[0-9a-f]*[a-f][0-9a-f]*[a-f])[0-9a-f]{12}(?:[0-9a-f]{52})?\b"
                      # IPv4 addresses (the server's own log lines) are not dates
                      r"|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_GB_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_CA_POSTCODE = re.compile(r"\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b", re.IGNORECASE)
# A run of tokens holding digits, grouped by spaces, dashes or dots: customer numbers, phones, ZIPs.
_TOKEN = r"[A-Za-z]{0,3}\d[A-Za-z\d]*"
_RUN = re.compile(rf"(?<![\w+])\+?{_TOKEN}(?:[ .\-]{_TOKEN})*(?![\w])")


def mask(value: str) -> str:
    """A customer number as logs show it: only the last four characters."""
    compact = re.sub(r"[^A-Za-z0-9]", "", value)
    return "*" * (len(compact) - 4) + compact[-4:] if len(compact) > 4 else "****"


def redact(text: str) -> str:
    kept: list[str] = []

    def keep(replacement: str) -> str:
        kept.append(replacement)
        return f"\x00{len(kept) - 1}\x00"

    text = _SAFE_ID.sub(lambda m: keep(m.group(0)), text)
    text = _EMAIL.sub(lambda m: keep("[email]"), text)
    text = _DATE.sub(lambda m: keep("[date]"), text)
    text = _GB_POSTCODE.sub(lambda m: keep("[postcode]"), text)
    text = _CA_POSTCODE.sub(lambda m: keep("[postcode]"), text)

    def run(match: re.Match) -> str:
        found = match.group(0)
        digits = sum(c.isdigit() for c in found)
        # Identifier-length runs keep their last four (agents need that much); shorter ones
        # (ZIP codes, one-time codes, years) would give too much away and are removed.
        if digits >= 4 and sum(c.isalnum() for c in found) >= 8:
            return keep(mask(found))
        # Short runs are removed when they stand alone or dash-joined (ZIP, ZIP+4, codes, years);
        # "HTTP/1.1 200" stays readable.
        if digits >= 4 and (found.replace("-", "").isalnum()):
            return keep("[redacted]")
        return found

    text = _RUN.sub(run, text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # One record reaches every handler, each with this filter: redact it once, or the second
        # pass would take "******6781" for a short code and lose the last four agents rely on.
        if getattr(record, "_redacted", False):
            return True
        record._redacted = True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(handler: logging.Handler) -> None:
    if not any(isinstance(f, RedactionFilter) for f in handler.filters):
        handler.addFilter(RedactionFilter())


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level.upper())
    for handler in root.handlers:
        install_redaction(handler)
    # Uvicorn's own loggers do not propagate to the root: give them the filter too.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            install_redaction(handler)
