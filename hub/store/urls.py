"""Database and Redis URLs as logs may show them: without the password."""

from __future__ import annotations


def redact_url(dsn: str) -> str:
    """A database or Redis URL without its password, for logs."""
    if "@" not in dsn or "://" not in dsn:
        return dsn
    scheme, rest = dsn.split("://", 1)
    userinfo, host = rest.rsplit("@", 1)
    return f"{scheme}://{userinfo.split(':', 1)[0]}@{host}"
