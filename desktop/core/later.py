""" "Send later" in compose: the choices, the moment each means, and what the dialog says once scheduled.

No Qt. The dialog offers `When`'s choices (and a time of day for `AT`); `deliver_at` turns the choice
into the ISO 8601 moment (with the local offset) the hub schedules the send for, or "" to send now.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final

#: The time "tomorrow morning" means.
MORNING: Final = time(9, 0)


class When(StrEnum):
    NOW = "Now"
    IN_30_MINUTES = "In 30 minutes"
    IN_1_HOUR = "In 1 hour"
    TOMORROW_MORNING = "Tomorrow at 9:00"
    AT = "At a time…"


def moment_for(when: When, at: time | None, now: datetime) -> datetime | None:
    """When a send chosen so is delivered, seen from `now` (aware, local); None: now.

    `AT` is today at `at`, or tomorrow when that time has passed (as `notify-hub send --at`)."""
    if when is When.IN_30_MINUTES:
        return now + timedelta(minutes=30)
    if when is When.IN_1_HOUR:
        return now + timedelta(hours=1)
    if when is When.TOMORROW_MORNING:
        return datetime.combine(now.date() + timedelta(days=1), MORNING, now.tzinfo)
    if when is When.AT and at is not None:
        moment = datetime.combine(now.date(), at.replace(second=0, microsecond=0), now.tzinfo)
        return moment if moment > now else moment + timedelta(days=1)
    return None


def deliver_at(when: When, at: time | None, now: datetime) -> str:
    """The `deliver_at` of the send (ISO 8601 with the local offset), "" to send it now."""
    moment = moment_for(when, at, now)
    return moment.isoformat(timespec="seconds") if moment is not None else ""


def shown_moment(moment: datetime, now: datetime) -> str:
    """A moment for people, in local time: '17:00', 'tomorrow 09:00', 'Mon 14 Dec 09:00'."""
    local, today = moment.astimezone(), now.astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    if local.date() == today + timedelta(days=1):
        return f"tomorrow {clock}"
    return local.strftime("%a %d %b %H:%M")


def scheduled_text(label: str, answer: Mapping[str, Any], now: datetime) -> str:
    """What the dialog says once the hub scheduled it: 'Scheduled for bob at tomorrow 09:00.'"""
    stamp = str(answer.get("deliver_at", ""))
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return f"Scheduled for {label}."
    return f"Scheduled for {label}: delivered at {shown_moment(moment, now)}."
