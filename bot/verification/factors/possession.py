"""Factors the caller proves by what they hold rather than know: a one-time code sent by SMS to
the phone on file (Twilio Verify), and caller ID matching that phone.

Caller ID can be spoofed: it is weak, and counts only where a policy lists it. Withheld IDs never match.
"""
from __future__ import annotations

import phonenumbers

from bot.records import CustomerRecord
from bot.understanding import is_withheld_caller_id
from bot.verification.factors.base import Factor


class OneTimeCode(Factor):
    name = "one_time_code"
    kind = "possession"
    secret = True
    needs_verify = True


class CallerId(Factor):
    name = "caller_id"
    kind = "observed"
    weak = True

    def observe(self, caller: str | None, record: CustomerRecord | None) -> bool:
        return caller_matches(caller, record.phone if record is not None else None)


def caller_matches(caller: str | None, on_file: str | None) -> bool:
    """Caller ID is exactly the phone on file (an EXACT_MATCH, not a national-number guess)."""
    if is_withheld_caller_id(caller) or not on_file:
        return False
    caller = caller.removeprefix("whatsapp:")
    try:
        match = phonenumbers.is_number_match(caller, on_file)
    except phonenumbers.NumberParseException:
        return False
    return match == phonenumbers.MatchType.EXACT_MATCH
