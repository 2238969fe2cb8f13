"""The PostgreSQL store's scheduled sends (see `hub.store.schedule`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.store.postgres.pool import PgPool, count_rows
from hub.store.schedule import (
    NewSchedule,
    PendingSchedule,
    ScheduleGone,
    schedule_from_row,
    schedule_sql,
    schedule_values,
    sort_due,
)
from hub.store.schema import POSTGRES

#: The first key of the advisory lock `add` holds per user (the second is the user's id).
SCHEDULE_LOCK = 0x6C6E7363  # "lnsc"

SQL = schedule_sql(POSTGRES, "IS NOT DISTINCT FROM", " FOR UPDATE SKIP LOCKED")


async def take_fired(conn: Any, ids: Sequence[int]) -> None:
    """In the transaction storing the batch that fires schedules `ids` (`Lookups.fired`): remove
    them, or raise `ScheduleGone`.

    Two hubs firing the same row: the second's DELETE waits for the first's transaction and then
    finds nothing."""
    status = await conn.execute("DELETE FROM scheduled WHERE id = ANY($1::bigint[])", list(ids))
    if count_rows(status) != len(set(ids)):
        raise ScheduleGone("this scheduled notification was already delivered or cancelled")


class PgSchedule:
    def __init__(self, pool: PgPool) -> None:
        self._pool = pool

    async def add(self, new: NewSchedule, cap: int) -> int | None:
        async with self._pool.tx() as conn:
            # One writer per user at a time, so that two hubs cannot both pass the cap. An advisory
            # lock, not a lock on the user's row: the rows a firing batch writes take FOR KEY SHARE
            # on users (their foreign keys), which a FOR UPDATE here would wait on and deadlock with.
            await conn.execute("SELECT pg_advisory_xact_lock($1, ($2 % 2147483647)::int)", SCHEDULE_LOCK, new.user_id)
            if new.key is not None:
                await conn.execute(SQL.replace, new.user_id, new.key, new.kind.value, new.to_user_id, new.room)
            if await conn.fetchval(SQL.count, new.user_id) >= cap:
                return None
            return int(await conn.fetchval(SQL.insert, *schedule_values(new)))

    async def pending(self, user_id: int) -> list[PendingSchedule]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.pending, user_id)
        return [schedule_from_row(r) for r in rows]

    async def cancel(self, user_id: int, key: str) -> int:
        async with self._pool.conn() as conn:
            return count_rows(await conn.execute(SQL.cancel, user_id, key))

    async def drop(self, user_id: int, schedule_id: int) -> bool:
        async with self._pool.conn() as conn:
            return count_rows(await conn.execute(SQL.drop, user_id, schedule_id)) > 0

    async def next_due(self) -> int | None:
        async with self._pool.conn() as conn:
            value = await conn.fetchval(SQL.next_due)
        return None if value is None else int(value)

    async def claim(self, hub_id: str, now: int, lease: int, limit: int) -> list[PendingSchedule]:
        async with self._pool.tx() as conn:
            rows = await conn.fetch(SQL.claim, hub_id, now + lease, now, limit)
        return sort_due([schedule_from_row(r) for r in rows])

    async def release_all(self) -> None:
        async with self._pool.conn() as conn:
            await conn.execute(SQL.release_all)
