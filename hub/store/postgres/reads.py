"""The PostgreSQL store's read marks and receipts (see `hub.store.reads`)."""

from __future__ import annotations

from hub.protocol import Notification
from hub.store.base import TO_EVERYONE
from hub.store.postgres.pool import PgPool, count_rows
from hub.store.reads import Addressee, FloorMove, Tally, read_sql
from hub.store.rows import notification_from_row
from hub.store.schema import POSTGRES

SQL = read_sql(POSTGRES)


class PgReads:
    def __init__(self, pool: PgPool) -> None:
        self._pool = pool

    async def mark(self, user_id: int, ids: list[int]) -> list[int]:
        async with self._pool.tx() as conn:
            await conn.execute(SQL.mark, user_id, ids)
            rows = await conn.fetch(SQL.theirs, user_id, ids)
        return [int(r[0]) for r in rows]

    async def mark_all(self, user_id: int, upto: int) -> FloorMove | None:
        async with self._pool.tx() as conn:
            # One user's marks at a time: two "mark all" from two devices move the floor in turn.
            await conn.execute("SELECT pg_advisory_xact_lock(7210, $1::int)", user_id % 2**31)
            before = int(await conn.fetchval(SQL.floor, user_id))
            newest = await conn.fetchval(SQL.newest_upto, user_id, upto)
            if newest is None:
                return None
            unread = int(await conn.fetchval(SQL.unread_between, user_id, newest, before))
            if newest > before:
                await conn.execute(SQL.set_floor, user_id, newest)
                await conn.execute(SQL.fold_marks, user_id, newest)
        return FloorMove(before, int(newest), unread > 0)

    async def unread(self, user_id: int) -> tuple[int, int]:
        async with self._pool.conn() as conn:
            row = await conn.fetchrow(SQL.unread, user_id)
        return int(row[0]), int(row[1])

    async def read_among(self, user_id: int, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.read_among, user_id, ids)
        return {int(r[0]) for r in rows}

    async def receipts_between(self, user_id: int, after: int, upto: int) -> list[Notification]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.receipts_between, user_id, after, upto)
        return [notification_from_row(r) for r in rows]

    async def receipts_among(self, user_id: int, ids: list[int]) -> list[Notification]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.receipts_among, user_id, ids)
        return [notification_from_row(r) for r in rows]

    async def delivered(self, ids: list[int], user_id: int, device: str, at: str) -> dict[int, int]:
        noted: dict[int, int] = {}
        if not ids:
            return noted
        async with self._pool.tx() as conn:
            for nid in ids:
                if count_rows(await conn.execute(SQL.delivered, nid, user_id, device, at)) == 1:
                    noted[nid] = int(await conn.fetchval(SQL.devices, nid, user_id))
        return noted

    async def seen(self, ids: list[int], user_id: int, at: str) -> list[int]:
        if not ids:
            return []
        async with self._pool.tx() as conn:
            return [nid for nid in ids if count_rows(await conn.execute(SQL.seen, nid, user_id, at)) == 1]

    async def tally(self, note: Notification) -> Tally:
        async with self._pool.conn() as conn:
            row = await conn.fetchrow(SQL.tally, note.id, note.sender_id or 0, note.kind in TO_EVERYONE)
        return Tally(*(int(v) for v in row))

    async def addressees(self, note: Notification, limit: int) -> list[Addressee]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.addressees, note.id, note.sender_id or 0, note.kind in TO_EVERYONE, limit)
        return [Addressee(r[0], int(r[1]), r[2], r[3]) for r in rows]
