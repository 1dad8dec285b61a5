"""The data keys: what seals a caller's answers at rest and keys the hashes of caller IDs and addresses.

One secret, DATA_KEY (32 characters or more), is the input keying material; HKDF-SHA256 derives a
separate key for each use, so the sealing key and the hashing key are never the same bytes.

- `seal` / `open`: AES-256-GCM (authenticated: a changed byte fails to open) with a random 96-bit
  nonce, bound to what the value is (its `purpose`, e.g. "conversations.state") so a sealed value
  cannot be moved to another column. The text form is `fd1.<key id>.<base64url(nonce + ciphertext)>`;
  the key id names which key sealed it, so values sealed before a rotation still open while that
  key is listed in DATA_KEYS_RETIRED, and `bot data rekey` re-seals them under the current one.
- `digest`: HMAC-SHA256 of a caller ID or client address, so a leaked table cannot be matched
  against a list of phone numbers (a plain hash of a phone number is reversed in minutes).

The process installs its keyring once at start-up (`create_app`, or the first `bot` command that
needs it), as logging is configured once: the column types that seal (bot.store.models) use it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

PREFIX = "fd1"
NONCE_BYTES = 12
MIN_KEY_CHARS = 32
# Where `make run` (ENVIRONMENT=development) keeps the key it makes: git-ignored, readable by the owner only.
LOCAL_KEY_FILE = Path(".data_key")
_PLACEHOLDERS = {"changeme", "change-me", "your-data-key", "xxx", "secret"}


class DataKeyError(RuntimeError):
    """No usable data key: the message says what to set."""


class SealError(ValueError):
    """A sealed value that no configured key opens (wrong or retired key removed, or tampered with)."""


def new_key_text() -> str:
    """A fresh key for DATA_KEY: 32 random bytes, base64url (43 characters)."""
    return secrets.token_urlsafe(32)


def check_key_text(value: str, *, name: str = "DATA_KEY") -> str:
    value = value.strip()
    if value.lower() in _PLACEHOLDERS or len(value) < MIN_KEY_CHARS:
        raise DataKeyError(f"{name} must be a random secret of at least {MIN_KEY_CHARS} characters "
                           "(`bot data key` prints one)")
    return value


class Key:
    def __init__(self, text: str):
        self.material = check_key_text(text).encode("utf-8")

    def derive(self, purpose: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"frontdoor/" + purpose.encode("utf-8")).derive(self.material)

    @cached_property
    def id(self) -> str:
        # Names the key in each sealed value without revealing anything about it.
        return hashlib.sha256(b"frontdoor key id/" + self.material).hexdigest()[:8]

    @cached_property
    def aead(self) -> AESGCM:
        return AESGCM(self.derive("seal"))

    @cached_property
    def hmac_key(self) -> bytes:
        return self.derive("hmac")


class Keyring:
    """The current key (seals and hashes) and retired ones (still open what they sealed)."""

    def __init__(self, current: str, retired: Iterable[str] = ()):
        self.current = Key(current)
        self.keys = {self.current.id: self.current}
        for text in retired:
            key = Key(text)
            self.keys.setdefault(key.id, key)

    @classmethod
    def generate(cls) -> "Keyring":
        return cls(new_key_text())

    def seal(self, plaintext: str, *, purpose: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.current.aead.encrypt(nonce, plaintext.encode("utf-8"), purpose.encode("utf-8"))
        return f"{PREFIX}.{self.current.id}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii').rstrip('=')}"

    def open(self, token: str, *, purpose: str) -> str:
        try:
            prefix, key_id, body = token.split(".", 2)
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (ValueError, binascii.Error):
            raise SealError("not a sealed value") from None
        key = self.keys.get(key_id) if prefix == PREFIX else None
        if key is None:
            raise SealError(f"sealed with key {key_id}, which is not configured (DATA_KEY, DATA_KEYS_RETIRED)")
        try:
            return key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            raise SealError(f"a sealed {purpose} failed its integrity check") from None

    def needs_rekey(self, stored: str) -> bool:
        """True for a clear value (stored before sealing) or one sealed under a retired key."""
        return not stored.startswith(f"{PREFIX}.{self.current.id}.")

    def digest(self, value: str, *, purpose: str) -> str:
        """A keyed hash (HMAC-SHA256, 128 bits shown): equal inputs match, nobody without the key can test a guess."""
        message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self.current.hmac_key, message, hashlib.sha256).hexdigest()[:32]


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ".")


def from_settings(settings) -> Keyring:
    """The keyring the settings describe. In production (the default) a missing key is an error;
    in development (`make run`) a local key file is made on first use."""
    retired = settings.data_keys_retired_list
    text = settings.data_key.get_secret_value() if settings.data_key is not None else None
    if text is None and settings.data_key_file is not None:
        try:
            text = settings.data_key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DataKeyError(f"DATA_KEY_FILE {settings.data_key_file} cannot be read: {exc.strerror}") from None
    if text is None and settings.environment == "development":
        text = _local_key()
    if text is None:
        raise DataKeyError("DATA_KEY is not set. Answers are sealed at rest with it, and production refuses to start "
                           "without one: generate one with `bot data key` and set DATA_KEY (or DATA_KEY_FILE). "
                           "On your own machine, `make run` (ENVIRONMENT=development) makes a local one.")
    return Keyring(text, retired)


def _local_key() -> str:
    if not LOCAL_KEY_FILE.exists():
        # Exclusive create, owner-only: two processes starting together agree on one key.
        try:
            fd = os.open(LOCAL_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(new_key_text() + "\n")
            log.warning("made a development data key in %s (keep it: what it sealed opens only with it)",
                        LOCAL_KEY_FILE.resolve())
    return LOCAL_KEY_FILE.read_text(encoding="utf-8").strip()


_installed: Keyring | None = None


def install(keyring: Keyring) -> Keyring:
    """Make `keyring` the process's keys (at start-up)."""
    global _installed
    _installed = keyring
    return keyring


def current() -> Keyring:
    """The process's keys; installed from the environment's settings on first use if start-up did not."""
    if _installed is None:
        from bot.settings import get_settings

        install(from_settings(get_settings()))
    return _installed
