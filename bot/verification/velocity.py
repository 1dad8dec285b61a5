"""Where failed verifications come from, for velocity limits: a caller ID (voice, SMS, WhatsApp)
or a client address (web chat). Only a hash is stored: the origin is for counting, not for reading.

Withheld caller IDs all share one origin: a flood of anonymous failures slows anonymous callers
down (they still reach a colleague, unverified), never the callers who show their number.
"""
from __future__ import annotations

import hashlib

import phonenumbers

from bot.understanding import is_withheld_caller_id


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def caller_origin(caller: str | None) -> str:
    if is_withheld_caller_id(caller):
        return "caller:" + _digest("withheld")
    caller = caller.strip().removeprefix("whatsapp:")
    try:
        caller = phonenumbers.format_number(phonenumbers.parse(caller, None), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        caller = caller.lower()
    return "caller:" + _digest(caller)


def client_origin(address: str | None) -> str:
    return "client:" + _digest(address or "unknown")


def origin_for(channel: str, *, caller: str | None, client_address: str | None = None) -> str:
    """One caller ID counts the same on a call and in an SMS; a web chat counts by its address."""
    return client_origin(client_address) if channel == "web" else caller_origin(caller)
