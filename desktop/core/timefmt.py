"""Relative times for people: 'just now', '5 min ago', 'yesterday'."""

from __future__ import annotations

from datetime import datetime, timedelta


def relative_time(then: datetime, now: datetime) -> str:
    """How long ago `then` was, seen from `now` (both aware datetimes)."""
    delta = now - then
    if delta < timedelta(seconds=45):
        return "just now"  # also covers a slightly fast hub clock
    if delta < timedelta(minutes=1, seconds=30):
        return "1 min ago"
    if delta < timedelta(hours=1):
        return f"{round(delta.total_seconds() / 60)} min ago"
    if delta < timedelta(hours=24):
        return f"{int(delta.total_seconds() // 3600)} h ago"
    if delta < timedelta(hours=48):
        return "yesterday"
    if delta < timedelta(days=7):
        return f"{delta.days} days ago"
    return then.astimezone().strftime("%Y-%m-%d")
