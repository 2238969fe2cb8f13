"""`notify-hub send --in 30m` / `--at 17:00`: what makes a send scheduled, read from the options.

`--in` takes a delay (`30s`, `45m`, `2h`, `1d`); `--at` a time of day in local time (`17:00`: today,
or tomorrow if that is past), or a date and time (`2026-12-24 09:00`, local unless it has an offset).
The hub checks the limits (10 s to 7 days ahead).
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from typing import Any

from hub.schedule import parse_delay

_TIME_OF_DAY = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def delay_option(text: str) -> int:
    """`--in`: seconds from `30s`, `45m`, `2h`, `1d`."""
    try:
        return parse_delay(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a delay such as 30s, 45m, 2h or 1d") from None


def at_option(text: str) -> datetime:
    """`--at`: `HH:MM` (local, today or tomorrow), or a date and time (local unless it has an offset)."""
    return moment_at(text, datetime.now().astimezone())


def moment_at(text: str, now: datetime) -> datetime:
    """The moment `--at TEXT` means, seen from `now` (which carries the local offset)."""
    found = _TIME_OF_DAY.match(text)
    if found is not None:
        hour, minute = int(found[1]), int(found[2])
        if hour > 23 or minute > 59:
            raise argparse.ArgumentTypeError(f"{text!r} is not a time of day")
        moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if moment <= now:
            moment += timedelta(days=1)
        return moment
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time such as 17:00 or 2026-12-24 09:00") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    when = parser.add_mutually_exclusive_group()
    when.add_argument(
        "--in",
        dest="delay",
        type=delay_option,
        metavar="DELAY",
        help="deliver it later: after 30s, 45m, 2h or 1d (10 s to 7 days)",
    )
    when.add_argument(
        "--at",
        type=at_option,
        metavar="TIME",
        help="deliver it at TIME: 17:00 (local, today or tomorrow if past) or 2026-12-24 09:00",
    )


def schedule_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The fields that schedule a send; none for a send now. ValueError: `--wait` on a scheduled send."""
    out: dict[str, Any] = {}
    if args.delay is not None:
        out["delay"] = args.delay
    elif args.at is not None:
        out["deliver_at"] = args.at.isoformat()
    if out and getattr(args, "wait", None) is not None:
        raise ValueError("--wait cannot wait for answers to a notification that is only scheduled")
    if out and args.key:
        out["key"] = args.key
    return out


def scheduled_line(answer: dict[str, Any]) -> str:
    """What `send` prints for a scheduled send: its id and when, in local time."""
    return f"scheduled notification {answer.get('schedule_id')} for {local(str(answer.get('deliver_at')))}"


def local(stamp: str) -> str:
    """A hub timestamp (`2026-12-07T16:00:00.000Z`) in local time, to the minute."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
