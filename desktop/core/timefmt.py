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


def next_change(then: datetime, now: datetime) -> float | None:
    """Seconds from `now` until `relative_time(then, ...)` says something else; None: it never will (a date)."""
    age = (now - then).total_seconds()
    if age < 45:
        edge = 45.0
    elif age < 90:
        edge = 90.0
    elif age < 3600:
        edge = min((round(age / 60) + 0.5) * 60, 3600.0)  # "N min ago" rounds: it moves on at the half minute
    elif age < 86400:
        edge = (int(age // 3600) + 1) * 3600.0
    elif age < 7 * 86400:
        edge = (int(age // 86400) + 1) * 86400.0
    else:
        return None
    return max(0.0, edge - age)
