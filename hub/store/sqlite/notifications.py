"""The SQLite store's notifications: group commit, replay, retention and delivery cursors.

Writes of notifications are batched by the caller into one transaction (group commit): one fsync
for many notifications, each durable before its sender is told `ok`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from hub.errors import NotFound
from hub.protocol import Notification
from hub.store.answers import ORPHAN_ANSWERS
from hub.store.base import NewNotification, PruneResult, Stored, StoredBatch
from hub.store.batch_plan import plan_batch, plan_lookups
from hub.store.reads import ORPHAN_READS
from hub.store.rows import notification_from_row
from hub.store.schema import (
    DIRECT_FIXED,
    DIRECT_ROW,
    NOTIFICATION_ROW,
    SQLITE,
    everyone_after_floor,
    orphans,
    replay_sql,
    user_notifications,
    user_readable,
)
from hub.store.sqlite import edits
from hub.store.sqlite.schedule import take_fired
from hub.store.sqlite.thread import NEWEST_ID, StoreThread, insert_many, sql_literal, transaction
from hub.timeutil import days_before

_NOTIFICATIONS = f"notifications({', '.join(NOTIFICATION_ROW)})"
#: A plain direct notification's row: its own values, then the ones every such row has, as constants.
_DIRECT = f"notifications({', '.join((*DIRECT_ROW, *DIRECT_FIXED))})"
_DIRECT_VALUES = "(" + ", ".join(["?"] * len(DIRECT_ROW) + [sql_literal(v) for v in DIRECT_FIXED.values()]) + ")"


class SqliteNotifications:
    def __init__(self, thread: StoreThread) -> None:
        self._thread = thread

    async def add(self, new: Sequence[NewNotification]) -> list[Stored]:
        """Store `new` in one transaction (group commit); durable when this returns."""
        return (await self.add_batch(new)).items

    async def add_batch(self, new: Sequence[NewNotification]) -> StoredBatch:
        """Store `new` in one transaction with the next ids; durable when this returns."""
        lookups = plan_lookups(new)
        rooms = json.dumps(lookups.rooms) if lookups.rooms else ""

        def run(db: sqlite3.Connection) -> StoredBatch:
            with transaction(db):
                # The writer holds the file (BEGIN IMMEDIATE): the next ids are the newest one's followers.
                prev = int(db.execute(f"SELECT {NEWEST_ID}").fetchone()[0])
                if lookups.fired:
                    take_fired(db, lookups.fired)
                everyone = [r[0] for r in db.execute("SELECT id FROM users ORDER BY id")] if lookups.everyone else []
                members: dict[str, list[int]] = {}
                if lookups.rooms:
                    for room, user_id in db.execute(
                        "SELECT room, user_id FROM room_members WHERE room IN (SELECT value FROM json_each(?))"
                        " ORDER BY room, user_id",
                        (rooms,),
                    ):
                        members.setdefault(room, []).append(user_id)
                keyed = edits.prepare(db, new, prev) if lookups.edits else None
                plan = plan_batch(new if keyed is None else keyed.drafts, prev, everyone, members)
                insert_many(db, _DIRECT, plan.direct, row=_DIRECT_VALUES)
                insert_many(db, _NOTIFICATIONS, plan.rows)
                insert_many(db, "inbox(user_id, notification_id)", plan.inbox)
                if keyed is not None:
                    edits.drop(db, keyed.gone)
            return plan.batch

        return await self._thread.run(run)

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self._thread.run(
            lambda db: [
                notification_from_row(r) for r in db.execute(replay_sql(SQLITE), (user_id, after_id, limit)).fetchall()
            ]
        )

    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.replay(user_id, after_id, limit)

    async def pruned_upto(self, user_id: int) -> int:
        def run(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT pruned_upto FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                raise NotFound("no such user")
            return int(row[0])

        return await self._thread.run(run)

    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult:
        cutoff = days_before(now, keep_days)
        mine = user_notifications(SQLITE)  # by age: every row, control rows too
        readable = user_readable(SQLITE)  # by count: only what people read
        to_everyone = everyone_after_floor(SQLITE)

        def run(db: sqlite3.Connection) -> PruneResult:
            removed = 0
            with transaction(db):
                for (user_id,) in db.execute("SELECT id FROM users").fetchall():
                    by_count = db.execute(
                        f"SELECT id FROM ({readable}) ORDER BY id DESC LIMIT 1 OFFSET ?2", (user_id, keep_count)
                    ).fetchone()
                    by_age = db.execute(f"SELECT MAX(id) FROM ({mine}) WHERE at < ?2", (user_id, cutoff)).fetchone()
                    boundary = max(by_count[0] if by_count else 0, by_age[0] or 0)
                    if boundary <= 0:
                        continue
                    removed += db.execute(
                        f"SELECT COUNT(*) FROM notifications n WHERE {to_everyone} AND n.id <= ?2",
                        (user_id, boundary),
                    ).fetchone()[0]
                    cur = db.execute(
                        "DELETE FROM inbox WHERE user_id = ? AND notification_id <= ?", (user_id, boundary)
                    )
                    removed += cur.rowcount
                    db.execute("UPDATE users SET pruned_upto = MAX(pruned_upto, ?) WHERE id = ?", (boundary, user_id))
                # A notification to everyone goes once no user has it any more (all of them, with no users).
                gone = db.execute(
                    "DELETE FROM notifications WHERE everyone = 1 AND id <= COALESCE("
                    "(SELECT MIN(MAX(first_id, pruned_upto)) FROM users), (SELECT MAX(id) FROM notifications))"
                ).rowcount
                gone += db.execute(orphans(SQLITE)).rowcount
                db.execute(ORPHAN_ANSWERS)
                for statement in ORPHAN_READS:
                    db.execute(statement)
            return PruneResult(removed_deliveries=removed, removed_notifications=gone)

        return await self._thread.run(run)

    # ------------------------------------------------------------------ cursors

    async def cursor(self, device: str, user_id: int) -> int:
        """The device's resume point; a new device starts where the user's retained inbox starts."""

        def run(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT last_id FROM cursors WHERE device = ?", (device,)).fetchone()
            if row is not None:
                return int(row[0])
            start = db.execute("SELECT pruned_upto FROM users WHERE id = ?", (user_id,)).fetchone()
            last_id = int(start[0]) if start else 0
            db.execute("INSERT INTO cursors(device, user_id, last_id) VALUES (?, ?, ?)", (device, user_id, last_id))
            return last_id

        return await self._thread.run(run)

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        """`{device: (user_id, last_id)}`; a cursor never moves backwards."""
        if not cursors:
            return
        rows = [(device, user_id, last_id) for device, (user_id, last_id) in cursors.items()]

        def run(db: sqlite3.Connection) -> None:
            # Every device that was sent something moves its cursor: a thousand rows each second
            # under load, one statement per 64 (see `insert_many`).
            with transaction(db):
                insert_many(
                    db,
                    "cursors(device, user_id, last_id)",
                    rows,
                    then=" ON CONFLICT(device) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
                )

        await self._thread.run(run)
