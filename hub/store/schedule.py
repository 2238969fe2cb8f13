"""Scheduled sends in the store, for both backends: pending rows, claims, and the firing.

A scheduled send is a `scheduled` row until it fires. To fire one, a hub first claims it (a lease:
`claimed_by`, `claimed_until`), so that the hubs of a cluster do not all work on the same row, then
queues its notification with `NewNotification.schedule_id`: the transaction that stores the
notification deletes the row (`take_fired`), and finds it gone if another hub fired it or its sender
cancelled it meanwhile (`ScheduleGone`, nothing stored). So a hub killed at any point neither loses
nor doubles a schedule: either its transaction committed (stored and removed) or it did not (the row
stays, and another hub claims it once the lease has run out).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Protocol

from hub.errors import Conflict
from hub.protocol import Kind, NotificationType
from hub.store.schema import TABLES, Dialect


class ScheduleGone(Conflict):
    """A schedule being fired is no longer there: fired by another hub, or cancelled."""


@dataclass(frozen=True, slots=True)
class NewSchedule:
    """A send to deliver later: the notification's fields, who asked, and when (ms since the epoch)."""

    user_id: int
    key: str | None
    kind: Kind
    type: NotificationType
    title: str
    message: str
    sender: str
    to_user_id: int | None
    room: str | None
    rich: dict[str, Any] | None
    deliver_at: int
    created_at: str


@dataclass(frozen=True, slots=True)
class PendingSchedule:
    id: int
    new: NewSchedule


class SchedulePart(Protocol):
    async def add(self, new: NewSchedule, cap: int) -> int | None:
        """Store a schedule and return its id; one of the user's with the same key and addressee is
        replaced. None (nothing stored) when the user already has `cap` pending."""

    async def pending(self, user_id: int) -> list[PendingSchedule]:
        """The user's pending schedules, soonest first."""

    async def cancel(self, user_id: int, key: str) -> int:
        """Remove the user's pending schedules with that key; how many there were."""

    async def drop(self, user_id: int, schedule_id: int) -> bool:
        """Remove one of the user's pending schedules; whether it was there."""

    async def next_due(self) -> int | None:
        """The soonest moment (ms) a schedule may be claimed: its time, or when its claim runs out."""

    async def claim(self, hub_id: str, now: int, lease: int, limit: int) -> list[PendingSchedule]:
        """Claim up to `limit` schedules due at `now` that nobody holds, until `now + lease`; soonest first."""

    async def release_all(self) -> None:
        """Forget every claim (one hub alone on its store, at start: claims of a process that died)."""


#: The columns a schedule is written with: all but its id and its claim (`schema.TABLES`).
COLUMNS = TABLES["scheduled"][1:-2]
SELECT = "id, " + ", ".join(COLUMNS)


def schedule_values(new: NewSchedule) -> tuple[Any, ...]:
    rich = json.dumps(new.rich, separators=(",", ":")) if new.rich else None
    return (
        new.user_id,
        new.key,
        new.kind.value,
        new.type.value,
        new.title,
        new.message,
        new.sender,
        new.to_user_id,
        new.room,
        rich,
        new.deliver_at,
        new.created_at,
    )


def schedule_from_row(row: Any) -> PendingSchedule:
    """A row that starts with `SELECT`'s columns."""
    return PendingSchedule(
        id=int(row[0]),
        new=NewSchedule(
            user_id=row[1],
            key=row[2],
            kind=Kind(row[3]),
            type=NotificationType(row[4]),
            title=row[5],
            message=row[6],
            sender=row[7],
            to_user_id=row[8],
            room=row[9],
            rich=json.loads(row[10]) if row[10] else None,
            deliver_at=int(row[11]),
            created_at=row[12],
        ),
    )


@dataclass(frozen=True, slots=True)
class ScheduleSql:
    insert: str
    #: Remove the user's (1) schedule with key (2) to the same addressee: kind (3), user (4), room (5).
    replace: str
    count: str
    pending: str
    cancel: str
    #: Remove the user's (1) schedule with id (2).
    drop: str
    next_due: str
    #: Claim for hub (1) until (2) what is due at (3), at most (4).
    claim: str
    release_all: str


@functools.cache
def schedule_sql(d: Dialect, same: str, skip_locked: str) -> ScheduleSql:
    """The statements in one dialect; `same` is its null-safe equality (`IS`, `IS NOT DISTINCT FROM`),
    `skip_locked` what keeps two hubs' claims from waiting on each other (PostgreSQL's `FOR UPDATE
    SKIP LOCKED`; nothing for SQLite, which has one writer)."""
    p = [d.param(n) for n in range(1, len(COLUMNS) + 1)]
    return ScheduleSql(
        insert=f"INSERT INTO scheduled({', '.join(COLUMNS)}) VALUES ({', '.join(p)}) RETURNING id",
        replace=(
            f"DELETE FROM scheduled WHERE user_id = {p[0]} AND key = {p[1]} AND kind = {p[2]}"
            f" AND to_user_id {same} {p[3]} AND room {same} {p[4]}"
        ),
        count=f"SELECT count(*) FROM scheduled WHERE user_id = {p[0]}",
        pending=f"SELECT {SELECT} FROM scheduled WHERE user_id = {p[0]} ORDER BY deliver_at, id",
        cancel=f"DELETE FROM scheduled WHERE user_id = {p[0]} AND key = {p[1]}",
        drop=f"DELETE FROM scheduled WHERE user_id = {p[0]} AND id = {p[1]}",
        next_due=f"SELECT min({d.greatest}(deliver_at, claimed_until)) FROM scheduled",
        claim=(
            f"UPDATE scheduled SET claimed_by = {p[0]}, claimed_until = {p[1]} WHERE id IN ("
            f"SELECT id FROM scheduled WHERE deliver_at <= {p[2]} AND claimed_until <= {p[2]}"
            f" ORDER BY deliver_at, id LIMIT {p[3]}{skip_locked}) RETURNING {SELECT}"
        ),
        release_all="UPDATE scheduled SET claimed_by = NULL, claimed_until = 0 WHERE claimed_by IS NOT NULL",
    )


def sort_due(rows: list[PendingSchedule]) -> list[PendingSchedule]:
    return sorted(rows, key=lambda s: (s.new.deliver_at, s.id))
