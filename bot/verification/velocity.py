"""Where failed verifications come from, for velocity limits: a caller ID (voice, SMS, WhatsApp)
or a client address (web chat). Only a keyed hash is stored (HMAC under the data key, bot.keys): the
origin is for counting, not for reading, and without the key a leaked table cannot be matched against
a list of phone numbers.

A withheld caller ID says nothing about who is calling, so it is not one origin shared by every
withheld caller (one attacker's failures would then turn away every honest caller who withholds
their number): each withheld call is an origin of its own, and the failures of all withheld callers
together have a separate, larger limit (`velocity.withheld` in policy.yaml) that keeps anonymous
guessing across many numbers bounded.
"""
from __future__ import annotations

import phonenumbers

from bot import keys
from bot.understanding import is_withheld_caller_id

WITHHELD_PREFIX = "withheld:"


def _digest(value: str) -> str:
    return keys.current().digest(value, purpose="origin")


def caller_origin(caller: str | None, *, session_key: str | None = None) -> str:
    """A caller ID's origin; a withheld one is the origin of this conversation alone (`session_key`)."""
    if is_withheld_caller_id(caller):
        return WITHHELD_PREFIX + _digest("withheld:" + (session_key or ""))
    caller = caller.strip().removeprefix("whatsapp:")
    try:
        caller = phonenumbers.format_number(phonenumbers.parse(caller, None), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        caller = caller.lower()
    return "caller:" + _digest(caller)


def client_origin(address: str | None) -> str:
    return "client:" + _digest(address or "unknown")


def is_withheld_origin(origin: str | None) -> bool:
    return bool(origin) and origin.startswith(WITHHELD_PREFIX)


def origin_for(channel: str, *, caller: str | None, client_address: str | None = None,
               session_key: str | None = None) -> str:
    """One caller ID counts the same on a call and in an SMS; a web chat counts by its address."""
    return client_origin(client_address) if channel == "web" else caller_origin(caller, session_key=session_key)
