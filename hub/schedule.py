"""Scheduled delivery on the wire: `deliver_at` / `delay` on a send, `key`, and the limits.

Any send (`send_notification`, `room_message`, `broadcast`, `announce`, the HTTP sends) that gives
`deliver_at` (ISO 8601 with an offset, e.g. `2026-12-07T17:00:00+01:00`) or `delay` (`30s`, `45m`,
`2h`, `1d`) is scheduled instead of sent: it is stored, acknowledged with `{ok: true, scheduled:
true, schedule_id, deliver_at}`, and delivered as a notification at its time. The models below are
the send payloads plus those fields; `ScheduleFields.when` turns them into a moment. pydantic only,
like `hub.protocol`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from hub.errors import InvalidPayload
from hub.keys import Key
from hub.payload import Payload
from hub.protocol import Announce, Broadcast, HttpNotification, RoomMessage, SendNotification

#: The soonest a notification may be scheduled, in seconds from now (`schedule_min_seconds` may lower
#: it, for tests); anything sooner is a plain send.
MIN_DELAY_SECONDS: Final = 10
#: The latest a notification may be scheduled: seven days from now.
MAX_DELAY_SECONDS: Final = 7 * 24 * 3600
#: Pending schedules one account may have at once (`schedule_max_pending`).
MAX_PENDING_PER_USER: Final = 100
#: The longest `delay` text.
MAX_DELAY_CHARS: Final = 32


_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_DELAY = re.compile(r"(\d{1,9})\s*([a-z]+)")


def parse_delay(text: str) -> int:
    """Seconds from a delay such as `30s`, `45m`, `2h`, `1d` (ntfy's `30min`, `2 hours` too).

    Raises `PydanticCustomError` (`invalid_delay`) for anything else."""
    match = _DELAY.fullmatch(text.strip().lower()) if len(text) <= MAX_DELAY_CHARS else None
    if match is None or match.group(2) not in _UNITS:
        raise PydanticCustomError("invalid_delay", "a delay is a whole number and a unit: 30s, 45m, 2h or 1d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _delay(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # the type check refuses it
    if isinstance(value, int):
        return value  # seconds
    if isinstance(value, str):
        return parse_delay(value)
    return value


def _moment(value: Any) -> Any:
    """`deliver_at`: ISO 8601 with an offset (`Z` or `+01:00`), or Unix seconds (ntfy's `At: 1639194738`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise PydanticCustomError("invalid_time", "deliver_at: not a time") from None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) <= 12:
            return _moment(int(text))
        try:
            moment = datetime.fromisoformat(text) if len(text) <= 64 else None
        except ValueError:
            moment = None
        if moment is None:
            raise PydanticCustomError(
                "invalid_time", "deliver_at is ISO 8601 with an offset, e.g. 2026-12-07T17:00:00+01:00"
            )
        if moment.tzinfo is None:
            raise PydanticCustomError(
                "invalid_time", "deliver_at needs an offset (Z or +01:00): the hub cannot guess your time zone"
            )
        return moment
    return value


#: Seconds; bounded far past the limit (which `ScheduleFields.when` words) so that no date overflows.
Delay = Annotated[int, BeforeValidator(_delay), Field(strict=True, ge=0, le=1_000_000_000)]
DeliverAt = Annotated[datetime, BeforeValidator(_moment)]


class ScheduleFields(BaseModel):
    """What makes a send scheduled. `when` gives its moment; `key` names it for `cancel_scheduled`."""

    deliver_at: DeliverAt | None = Field(default=None, validation_alias=AliasChoices("deliver_at", "deliverAt"))
    delay: Delay | None = None
    key: Key | None = None

    @model_validator(mode="after")
    def _one_moment(self) -> ScheduleFields:
        if self.deliver_at is not None and self.delay is not None:
            raise PydanticCustomError("one_moment", "give deliver_at or delay, not both")
        return self

    def when(self, now: datetime, min_seconds: float) -> datetime:
        """The moment to deliver, checked against the limits (`min_seconds` to `MAX_DELAY_SECONDS` from `now`).

        Raises `InvalidPayload` for a moment out of range."""
        moment = now + timedelta(seconds=self.delay) if self.delay is not None else self.deliver_at
        if moment is None:
            raise InvalidPayload("give deliver_at or delay")
        ahead = (moment - now).total_seconds()
        if ahead < min_seconds - 0.001 or ahead > MAX_DELAY_SECONDS:
            raise InvalidPayload(
                f"deliver_at: a notification is scheduled {min_seconds:g} s to 7 days ahead; this is {ahead:.0f} s"
            )
        return moment


def wants_schedule(data: Any) -> bool:
    """Whether a send's payload asks to be scheduled (it names `deliver_at` or `delay`)."""
    # The common send names none of them: one set operation says so, before any of the three lookups.
    return (
        isinstance(data, dict)
        and not _SCHEDULE_KEYS.isdisjoint(data)
        and (data.get("deliver_at") is not None or data.get("deliverAt") is not None or data.get("delay") is not None)
    )


_SCHEDULE_KEYS = frozenset({"deliver_at", "deliverAt", "delay"})


class ScheduledDirect(SendNotification, ScheduleFields):
    """`send_notification` with `deliver_at` / `delay`."""


class ScheduledRoom(RoomMessage, ScheduleFields):
    """`room_message` with `deliver_at` / `delay`."""


class ScheduledBroadcast(Broadcast, ScheduleFields):
    """`broadcast` with `deliver_at` / `delay`."""


class ScheduledAnnounce(Announce, ScheduleFields):
    """`announce` with `deliver_at` / `delay`."""


class ScheduledHttp(HttpNotification, ScheduleFields):
    """`POST /api/notifications` (and the text sends) with `deliver_at` / `delay`."""


ScheduledSend = ScheduledDirect | ScheduledRoom | ScheduledBroadcast | ScheduledAnnounce
#: The model of each send event's payload when it is scheduled.
SCHEDULED: Final[dict[str, type[ScheduledSend]]] = {
    "send_notification": ScheduledDirect,
    "room_message": ScheduledRoom,
    "broadcast": ScheduledBroadcast,
    "announce": ScheduledAnnounce,
}


class CancelScheduled(Payload):
    """`cancel_scheduled {key}` and `DELETE /api/scheduled/{key}`: the caller's pending ones with that key."""

    key: Key


def scheduled_ack(schedule_id: int, deliver_at: str) -> dict[str, Any]:
    """The ok-ack of a scheduled send."""
    return {"ok": True, "scheduled": True, "schedule_id": schedule_id, "deliver_at": deliver_at}


def iso_ms(moment: datetime) -> str:
    """A moment as the hub writes timestamps: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_epoch_ms(ms: int) -> str:
    return iso_ms(datetime.fromtimestamp(ms / 1000, UTC))
