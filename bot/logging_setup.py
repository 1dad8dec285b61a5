"""Logging with a redaction filter on every handler: customer numbers masked to their last four,
dates, postcodes, emails and codes removed, whatever a message or its arguments contain.

`LOG_FORMAT=json` writes one JSON object a line, with the conversation id and a masked CallSid
taken from context variables the webhook adapters set (`bind`).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re

# Identifiers that are safe and useful in logs. They are set aside before anything is redacted.
_SAFE_ID = (
    # Twilio SIDs and our own conversation ids
    r"\b(?:[A-Z]{2})?[0-9a-f]{32}\b"
    # flow versions and content hashes: lower-case hex with letters in it
    r"|\b(?=[0-9a-f]*[a-f][0-9a-f]*[a-f])[0-9a-f]{12}(?:[0-9a-f]{52})?\b"
    # IPv4 addresses (the server's own log lines) are not dates
    r"|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"
    # traceback frames name our own files and line numbers
    r'|\bFile "[^"\n]*", line \d+'
    # process ids, as uvicorn and the `bot` command write them
    r"|\b[Pp]rocess \[\d+\]|\bpid[ =:]\d+\b"
    # Twilio's error codes (11200: the webhook could not be reached)
    r"|\bTwilio error \d{5}\b"
    # machine timestamps (a database error's parameters, an ISO time): a time to the second is no birth date
    r"|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}\b)?"
    # database migrations as Alembic announces them ("Running upgrade 0003 -> 0004")
    r"|\bRunning (?:upgrade|downgrade) [\w, ]*-> \w+"
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_DATE = r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b"
_GB_POSTCODE = r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b"
_CA_POSTCODE = r"\b[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d\b"
# One pass finds the safe identifiers and the personal data that has a shape; at each position the
# first alternative that matches wins, in this order. Without an "@" in the line the email
# alternative is left out (it is the slowest to try at every position).
_SHAPED = re.compile(f"(?P<safe>{_SAFE_ID})|(?P<email>{_EMAIL})|(?P<date>{_DATE})"
                     f"|(?P<postcode>{_GB_POSTCODE}|{_CA_POSTCODE})")
_SHAPED_NO_EMAIL = re.compile(f"(?P<safe>{_SAFE_ID})|(?P<date>{_DATE})|(?P<postcode>{_GB_POSTCODE}|{_CA_POSTCODE})")
# uvicorn's access log line: client address, method, path, HTTP version, status. Only the path can
# carry data a caller typed; the rest has a fixed shape.
_ACCESS_LINE = '%s - "%s %s HTTP/%s" %d'
_REPLACEMENT = {"email": "[email]", "date": "[date]", "postcode": "[postcode]"}
# A run of tokens holding digits, grouped by spaces, dashes or dots: customer numbers, phones, ZIPs.
_TOKEN = r"[A-Za-z]{0,3}\d[A-Za-z\d]*"
_RUN = re.compile(rf"(?<![\w+])\+?{_TOKEN}(?:[ .\-]{_TOKEN})*(?![\w])")
_DIGIT = re.compile(r"\d")
# What is set aside is replaced by a private-use character between NULs: no digit in it, so the
# digit-run pass never mistakes a placeholder for data.
_PLACEHOLDER = re.compile("\x00([\ue000-\uf8ff])\x00")
_MAX_PLACEHOLDERS = 0xF8FF - 0xE000


def mask(value: str) -> str:
    """A customer number as logs show it: only the last four characters."""
    compact = re.sub(r"[^A-Za-z0-9]", "", value)
    return "*" * (len(compact) - 4) + compact[-4:] if len(compact) > 4 else "****"


def _run(match: re.Match) -> str:
    found = match.group(0)
    digits = sum(c.isdigit() for c in found)
    # Identifier-length runs keep their last four (agents need that much); shorter ones
    # (ZIP codes, one-time codes, years) would give too much away and are removed.
    if digits >= 4 and sum(c.isalnum() for c in found) >= 8:
        return mask(found)
    # Short runs are removed when they stand alone or dash-joined (ZIP, ZIP+4, codes, years);
    # "HTTP/1.1 200" stays readable.
    if digits >= 4 and found.replace("-", "").isalnum():
        return "[redacted]"
    return found


def redact(text: str) -> str:
    # Every pattern below needs a digit, except emails, which need an "@": most lines have neither.
    has_at = "@" in text
    if not has_at and _DIGIT.search(text) is None:
        return text
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        if len(kept) >= _MAX_PLACEHOLDERS:
            return "[redacted]"
        kind = match.lastgroup
        kept.append(match.group(0) if kind == "safe" else _REPLACEMENT[kind])
        return f"\x00{chr(0xE000 + len(kept) - 1)}\x00"

    text = (_SHAPED if has_at else _SHAPED_NO_EMAIL).sub(keep, text)
    if _DIGIT.search(text) is not None:
        text = _RUN.sub(_run, text)
    if kept:
        text = _PLACEHOLDER.sub(lambda m: kept[ord(m.group(1)) - 0xE000], text)
    return text


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # One record reaches every handler, each with this filter: redact it once, or the second
        # pass would take "******6781" for a short code and lose the last four agents rely on.
        if getattr(record, "_redacted", False):
            return True
        record._redacted = True
        args = record.args
        if record.msg == _ACCESS_LINE and isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            # The hot path: one line per request. Its arguments stay, for uvicorn's own formatter.
            record.args = (args[0], args[1], redact(args[2]), args[3], args[4])
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
            record.args = ()
        clean = redact(message)
        if clean != message:
            _rewrite(record, clean)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _rewrite(record: logging.LogRecord, clean: str) -> None:
    # Formatters read the message through getMessage(); uvicorn's access formatter, which reads the
    # arguments themselves, is served by the access-line path in the filter.
    record.msg = clean
    record.args = ()


def install_redaction(handler: logging.Handler) -> None:
    if not any(isinstance(f, RedactionFilter) for f in handler.filters):
        handler.addFilter(RedactionFilter())


# -- what a log line is about: set by the webhook adapters for the request they serve -------------
_conversation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("conversation_id", default=None)
_call_sid: contextvars.ContextVar[str | None] = contextvars.ContextVar("call_sid", default=None)


def bind(*, conversation_id: str | None = None, call_sid: str | None = None) -> None:
    """Name the conversation (and the call) the current request is about, for structured logs.
    Each request runs in its own context, so nothing leaks into the next one."""
    if conversation_id is not None:
        _conversation_id.set(conversation_id)
    if call_sid is not None:
        _call_sid.set(call_sid)


def masked_sid(sid: str | None) -> str | None:
    """A CallSid as logs show it: its kind and last six characters (enough to find it in Twilio's console)."""
    if not sid:
        return None
    return f"{sid[:2]}...{sid[-6:]}" if len(sid) > 12 else "****"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, process, conversation id, masked CallSid."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        conversation, call = _conversation_id.get(), _call_sid.get()
        if conversation:
            entry["conversation_id"] = conversation
        if call:
            entry["call_sid"] = masked_sid(call)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def formatter(kind: str = "text") -> logging.Formatter:
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(level.upper())
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and (
                handler.formatter is None or isinstance(handler.formatter, JsonFormatter)
                or getattr(handler.formatter, "_fmt", None) == TEXT_FORMAT):
            handler.setFormatter(formatter(log_format))  # ours to choose; a handler set up elsewhere keeps its own
        install_redaction(handler)
    # Uvicorn's own loggers do not propagate to the root when it configures them: give them the filter too.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            install_redaction(handler)
            if log_format == "json":
                handler.setFormatter(formatter("json"))
