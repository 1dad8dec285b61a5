"""PINs kept only as a slow salted hash (scrypt, a salt per customer), compared in constant time.

The stored form names its parameters, `scrypt$N$r$p$salt$hash` (salt and hash base64), so the
cost can be raised later without invalidating PINs already stored.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

# N=2^14, r=8: about 16 MB and a few tens of milliseconds per check; slow for a stolen table, fine on a call.
N, R, P = 2 ** 14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
PIN = re.compile(r"\d{4,8}")


class PinError(ValueError):
    """Not a PIN: 4 to 8 digits."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=64 * 1024 * 1024)


def valid_pin(pin: str) -> bool:
    return isinstance(pin, str) and PIN.fullmatch(pin) is not None


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    if not valid_pin(pin):
        raise PinError("a PIN is 4 to 8 digits")
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_derive(pin, salt, N, R, P))}"


@lru_cache(maxsize=1)
def _stand_in() -> str:
    # Checked against when a customer has no PIN (or is unknown): the same work, never a match.
    return hash_pin("0000", salt=b"\x00" * SALT_BYTES)


def _parse(stored: str) -> tuple[tuple[int, int, int], bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        params = int(n), int(r), int(p)
        # Bounded, so a tampered row cannot make one check take minutes.
        if scheme != "scrypt" or not (2 ** 10 <= params[0] <= 2 ** 20 and 1 <= params[1] <= 16 and 1 <= params[2] <= 4):
            return None
        return params, base64.b64decode(salt, validate=True), base64.b64decode(expected, validate=True)
    except ValueError:
        return None


def pin_matches(pin: str, stored: str | None) -> bool:
    """True when `pin` is the PIN behind `stored`; False for no PIN on file or a malformed hash."""
    parsed = _parse(stored) if isinstance(stored, str) else None
    known = parsed is not None
    params, salt, expected = parsed or _parse(_stand_in())
    candidate = pin if valid_pin(pin) else "\x00"
    equal = hmac.compare_digest(_derive(candidate, salt, *params), expected)
    return equal and known and valid_pin(pin)
