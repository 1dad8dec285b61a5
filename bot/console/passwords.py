"""Console passwords, hashed with Argon2id (argon2-cffi's RFC 9106 low-memory profile: 64 MiB,
3 passes, 4 lanes): memory-hard, so a stolen table is slow to crack even on GPUs."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Checked when the account does not exist, so a wrong username costs the same time as a wrong password.
_STAND_IN = _HASHER.hash("stand-in password for unknown accounts")
MIN_LENGTH = 12
MAX_LENGTH = 256


class WeakPassword(ValueError):
    pass


def check_strength(password: str, *, username: str) -> None:
    """Length over rules (NIST SP 800-63B): at least 12 characters, not the username."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    if username.lower() in password.lower():
        raise WeakPassword("a password must not contain the username")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Constant work whether or not there is a stored hash."""
    try:
        return _HASHER.verify(stored or _STAND_IN, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
