"""Passwords (argon2id, memory-hard) and device tokens (random, stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import string
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.redaction import TOKEN_PREFIX as TOKEN_PREFIX
from hub.redaction import redact as redact

_hasher = PasswordHasher()  # argon2id, RFC 9106 "low memory" profile: 64 MiB, 3 passes
# A hash of a random password: verifying against it costs as much as a real check, so an unknown
# user name answers no faster than a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. Slow on purpose (~50 ms); call it off the event loop."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A device token: 256 random bits, URL-safe, with a recognisable prefix (for secret scanners)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(proxies: Sequence[str]) -> tuple[Network, ...]:
    """The `trusted_proxies` setting as networks (already validated by the config)."""
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """Who is on the other end: the peer, or, when the peer is a trusted proxy, the nearest untrusted
    address in its X-Forwarded-For (read right to left: a client can put anything at the left)."""
    address = peer or "?"
    if not trusted or not forwarded_for or not _trusted(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        address = hop
        if not _trusted(hop, trusted):
            break
    return address


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def generate_password(length: int = 20) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


class RedactSecrets(logging.Filter):
    """A logging filter for loggers that print raw packets (python-engineio/socketio log every packet,
    including the `auth` object with the device token, at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as usual
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
