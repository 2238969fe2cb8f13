"""The SQLite store's read marks and receipts (see `hub.store.reads`)."""

from __future__ import annotations

import json
import sqlite3

from hub.protocol import Notification
from hub.store.base import TO_EVERYONE
from hub.store.reads import Addressee, FloorMove, Tally, read_sql
from hub.store.rows import notification_from_row
from hub.store.schema import SQLITE
from hub.store.sqlite.thread import StoreThread, transaction

SQL = read_sql(SQLITE)


class SqliteReads:
    def __init__(self, thread: StoreThread) -> None:
        self._thread = thread

    async def mark(self, user_id: int, ids: list[int]) -> list[int]:
        def run(db: sqlite3.Connection) -> list[int]:
            listed = json.dumps(ids)
            with transaction(db):
                db.execute(SQL.mark, (user_id, listed))
                return [int(r[0]) for r in db.execute(SQL.theirs, (user_id, listed)).fetchall()]

        return await self._thread.run(run)

    async def mark_all(self, user_id: int, upto: int) -> FloorMove | None:
        def run(db: sqlite3.Connection) -> FloorMove | None:
            with transaction(db):
                before = int(db.execute(SQL.floor, (user_id,)).fetchone()[0])
                newest = db.execute(SQL.newest_upto, (user_id, upto)).fetchone()[0]
                if newest is None:
                    return None
                unread = int(db.execute(SQL.unread_between, (user_id, newest, before)).fetchone()[0])
                if newest > before:
                    db.execute(SQL.set_floor, (user_id, newest))
                    db.execute(SQL.fold_marks, (user_id, newest))
            return FloorMove(before, int(newest), unread > 0)

        return await self._thread.run(run)

    async def unread(self, user_id: int) -> tuple[int, int]:
        def run(db: sqlite3.Connection) -> tuple[int, int]:
            count, newest = db.execute(SQL.unread, (user_id,)).fetchone()
            return int(count), int(newest)

        return await self._thread.run(run)

    async def read_among(self, user_id: int, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        return await self._thread.run(
            lambda db: {int(r[0]) for r in db.execute(SQL.read_among, (user_id, json.dumps(ids))).fetchall()}
        )

    async def receipts_between(self, user_id: int, after: int, upto: int) -> list[Notification]:
        return await self._thread.run(
            lambda db: [
                notification_from_row(r) for r in db.execute(SQL.receipts_between, (user_id, after, upto)).fetchall()
            ]
        )

    async def receipts_among(self, user_id: int, ids: list[int]) -> list[Notification]:
        return await self._thread.run(
            lambda db: [
                notification_from_row(r) for r in db.execute(SQL.receipts_among, (user_id, json.dumps(ids))).fetchall()
            ]
        )

    async def delivered(self, ids: list[int], user_id: int, device: str, at: str) -> dict[int, int]:
        def run(db: sqlite3.Connection) -> dict[int, int]:
            noted: dict[int, int] = {}
            with transaction(db):
                for nid in ids:
                    if db.execute(SQL.delivered, (nid, user_id, device, at)).rowcount == 1:
                        noted[nid] = int(db.execute(SQL.devices, (nid, user_id)).fetchone()[0])
            return noted

        return await self._thread.run(run) if ids else {}

    async def seen(self, ids: list[int], user_id: int, at: str) -> list[int]:
        def run(db: sqlite3.Connection) -> list[int]:
            with transaction(db):
                return [nid for nid in ids if db.execute(SQL.seen, (nid, user_id, at)).rowcount == 1]

        return await self._thread.run(run) if ids else []

    async def tally(self, note: Notification) -> Tally:
        params = (note.id, note.sender_id or 0, note.kind in TO_EVERYONE)
        row = await self._thread.run(lambda db: db.execute(SQL.tally, params).fetchone())
        return Tally(*(int(v) for v in row))

    async def addressees(self, note: Notification, limit: int) -> list[Addressee]:
        everyone = note.kind in TO_EVERYONE
        rows = await self._thread.run(
            lambda db: db.execute(SQL.addressees, (note.id, note.sender_id or 0, everyone, limit)).fetchall()
        )
        return [Addressee(r[0], int(r[1]), r[2], r[3]) for r in rows]
