"""Device tokens: random, with a recognisable prefix, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from hub.redaction import TOKEN_PREFIX as TOKEN_PREFIX


def new_token() -> str:
    """A device token: 256 random bits, URL-safe, with a recognisable prefix (for secret scanners)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
