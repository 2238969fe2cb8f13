"""Timestamps: ISO 8601, UTC, millisecond precision, with a `Z` (what browsers' `new Date()` reads)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
