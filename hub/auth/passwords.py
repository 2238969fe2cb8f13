"""Passwords: argon2id (memory-hard), checked off the event loop, generated from letters and digits."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, RFC 9106 "low memory" profile: 64 MiB, 3 passes
# A hash of a random password: verifying against it costs as much as a real check, so an unknown
# user name answers no faster than a wrong password. Made as the hub starts (`prepare`) or at the
# first check, not at import: every `notify-hub` command imports this module, and a hash takes ~0.2 s.
_DUMMY_HASH: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. Slow on purpose (~50 ms); call it off the event loop."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def prepare() -> None:
    """Make the decoy hash now (slow: call it off the event loop), so that the first sign-in with an
    unknown name takes no longer than the ones after it. The hub does this as it starts."""
    _dummy_hash()


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def generate_password(length: int = 20) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
