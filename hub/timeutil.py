"""Timestamps: ISO 8601, UTC, millisecond precision, with a `Z` (what browsers' `new Date()` reads)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

_last: tuple[int, str] = (-1, "")


def utc_now_iso() -> str:
    """Now, e.g. `2026-12-01T14:37:27.123Z` (made once per millisecond: every send stamps one)."""
    global _last
    ms = time.time_ns() // 1_000_000
    if ms != _last[0]:
        moment = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        _last = (ms, stamp)
    return _last[1]


def days_before(now_iso: str, days: int) -> str:
    """The timestamp `days` days before `now_iso`, in the same form (`2026-11-24T14:37:27.123Z`)."""
    now = datetime.fromisoformat(now_iso.replace("Z", "+00:00"))
    return (now - timedelta(days=days)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
