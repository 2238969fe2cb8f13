"""The SQLite store's scheduled sends (see `hub.store.schedule`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from hub.store.schedule import (
    NewSchedule,
    PendingSchedule,
    ScheduleGone,
    schedule_from_row,
    schedule_sql,
    schedule_values,
    sort_due,
)
from hub.store.schema import SQLITE
from hub.store.sqlite.thread import StoreThread, transaction

SQL = schedule_sql(SQLITE, "IS", "")


def take_fired(db: sqlite3.Connection, ids: Sequence[int]) -> None:
    """In the transaction storing the batch that fires schedules `ids` (`Lookups.fired`): remove
    them, or raise `ScheduleGone`."""
    gone = db.execute("DELETE FROM scheduled WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
    if gone.rowcount != len(set(ids)):
        raise ScheduleGone("this scheduled notification was already delivered or cancelled")


class SqliteSchedule:
    def __init__(self, thread: StoreThread) -> None:
        self._thread = thread

    async def add(self, new: NewSchedule, cap: int) -> int | None:
        values = schedule_values(new)

        def run(db: sqlite3.Connection) -> int | None:
            with transaction(db):
                if new.key is not None:
                    db.execute(SQL.replace, (new.user_id, new.key, new.kind.value, new.to_user_id, new.room))
                if db.execute(SQL.count, (new.user_id,)).fetchone()[0] >= cap:
                    return None
                return int(db.execute(SQL.insert, values).fetchone()[0])

        return await self._thread.run(run)

    async def pending(self, user_id: int) -> list[PendingSchedule]:
        return await self._thread.run(
            lambda db: [schedule_from_row(r) for r in db.execute(SQL.pending, (user_id,)).fetchall()]
        )

    async def cancel(self, user_id: int, key: str) -> int:
        return await self._thread.run(lambda db: db.execute(SQL.cancel, (user_id, key)).rowcount)

    async def drop(self, user_id: int, schedule_id: int) -> bool:
        return await self._thread.run(lambda db: db.execute(SQL.drop, (user_id, schedule_id)).rowcount > 0)

    async def next_due(self) -> int | None:
        def run(db: sqlite3.Connection) -> int | None:
            value = db.execute(SQL.next_due).fetchone()[0]
            return None if value is None else int(value)

        return await self._thread.run(run)

    async def claim(self, hub_id: str, now: int, lease: int, limit: int) -> list[PendingSchedule]:
        def run(db: sqlite3.Connection) -> list[PendingSchedule]:
            with transaction(db):
                rows = db.execute(SQL.claim, (hub_id, now + lease, now, limit)).fetchall()
            return sort_due([schedule_from_row(r) for r in rows])

        return await self._thread.run(run)

    async def release_all(self) -> None:
        await self._thread.run(lambda db: db.execute(SQL.release_all))
