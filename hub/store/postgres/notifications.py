"""The PostgreSQL store's notifications, their chain of ids, retention and delivery cursors."""

from __future__ import annotations

from collections.abc import Sequence

from hub.errors import NotFound
from hub.protocol import Notification
from hub.store.answers import ORPHAN_ANSWERS
from hub.store.base import LIVE_ONLY, NewNotification, PruneResult, Stored, StoredBatch
from hub.store.batch_plan import every_row, plan_batch, plan_lookups
from hub.store.postgres import edits
from hub.store.postgres.pool import PgPool, count_rows
from hub.store.postgres.schedule import take_fired
from hub.store.reads import ORPHAN_READS
from hub.store.rows import notification_from_row
from hub.store.schema import (
    AFTER_NOTIFICATION,
    NOTIFICATION_COLUMNS,
    NOTIFICATION_ROW,
    POSTGRES,
    everyone_after_floor,
    orphans,
    replay_sql,
    user_notifications,
    user_readable,
)
from hub.timeutil import days_before

#: Advisory lock held while pruning: every hub runs retention, one at a time does the work.
PRUNE_LOCK = 0x6C6E_7072  # "lnpr"


class PgNotifications:
    """Notifications, their chain of ids, retention and delivery cursors, over a `PgPool`."""

    def __init__(self, pool: PgPool) -> None:
        self._pool = pool

    # ------------------------------------------------------------------ notifications

    async def add(self, new: Sequence[NewNotification]) -> list[Stored]:
        return (await self.add_batch(new)).items

    async def add_batch(self, new: Sequence[NewNotification]) -> StoredBatch:
        """Store `new` in one transaction with the next ids after the head; durable when this returns."""
        lookups = plan_lookups(new)
        async with self._pool.tx() as conn:
            prev = int(await conn.fetchval("SELECT last_id FROM notification_head FOR UPDATE"))
            if lookups.fired:
                await take_fired(conn, lookups.fired)
            everyone = [r[0] for r in await conn.fetch("SELECT id FROM users ORDER BY id")] if lookups.everyone else []
            members: dict[str, list[int]] = {}
            if lookups.rooms:
                for room, user_id in await conn.fetch(
                    "SELECT room, user_id FROM room_members WHERE room = ANY($1::text[]) ORDER BY room, user_id",
                    lookups.rooms,
                ):
                    members.setdefault(room, []).append(user_id)
            keyed = await edits.prepare(conn, new, prev) if lookups.edits else None
            plan = plan_batch(new if keyed is None else keyed.drafts, prev, everyone, members)
            if plan.rows or plan.direct:
                await conn.copy_records_to_table(
                    "notifications", records=every_row(plan), columns=list(NOTIFICATION_ROW)
                )
            if plan.inbox:
                await conn.copy_records_to_table("inbox", records=plan.inbox, columns=["user_id", "notification_id"])
            if keyed is not None:
                await edits.drop(conn, keyed.gone)
            await conn.execute("UPDATE notification_head SET last_id = $1", plan.batch.head)
        return plan.batch

    async def head(self) -> int:
        """The newest committed notification id."""
        async with self._pool.conn() as conn:
            return int(await conn.fetchval("SELECT last_id FROM notification_head"))

    async def integrity_check(self) -> str:
        """'ok', or what is wrong with the notification tables (the rest is kept by constraints)."""
        async with self._pool.conn() as conn:
            head = await conn.fetchval("SELECT last_id FROM notification_head")
            newest = await conn.fetchval("SELECT coalesce(max(id), 0) FROM notifications")
            orphans = await conn.fetchval(
                "SELECT count(*) FROM notifications n"
                " WHERE NOT n.everyone AND n.kind <> ALL($1::text[])"
                " AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)",
                [kind.value for kind in LIVE_ONLY],
            )
        if head is None or newest > head:
            return f"notification head {head} is behind the newest notification {newest}"
        if orphans:
            return f"{orphans} notifications have no recipient left"
        return "ok"

    async def stored_between(self, after_id: int, upto_id: int, limit: int) -> list[Stored]:
        """Notifications with ids in `(after_id, upto_id]`, oldest first, each with its recipients."""
        async with self._pool.conn() as conn:
            rows = await conn.fetch(
                f"SELECT {NOTIFICATION_COLUMNS},"
                " CASE WHEN n.everyone"
                " THEN ARRAY(SELECT u.id FROM users u WHERE GREATEST(u.first_id, u.pruned_upto) < n.id ORDER BY u.id)"
                " ELSE ARRAY(SELECT i.user_id FROM inbox i WHERE i.notification_id = n.id ORDER BY i.user_id) END"
                " FROM notifications n WHERE n.id > $1 AND n.id <= $2 ORDER BY n.id LIMIT $3",
                after_id,
                upto_id,
                limit,
            )
        return [Stored(notification_from_row(r), tuple(r[AFTER_NOTIFICATION])) for r in rows]

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(replay_sql(POSTGRES), user_id, after_id, limit)
        return [notification_from_row(r) for r in rows]

    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.replay(user_id, after_id, limit)

    async def pruned_upto(self, user_id: int) -> int:
        async with self._pool.conn() as conn:
            value = await conn.fetchval("SELECT pruned_upto FROM users WHERE id = $1", user_id)
        if value is None:
            raise NotFound("no such user")
        return int(value)

    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult:
        cutoff = days_before(now, keep_days)
        mine = user_notifications(POSTGRES)  # by age: every row, control rows too
        readable = user_readable(POSTGRES)  # by count: only what people read
        to_everyone = everyone_after_floor(POSTGRES)
        removed = 0
        async with self._pool.tx() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", PRUNE_LOCK):
                return PruneResult(removed_deliveries=0, removed_notifications=0)  # another hub is at it
            for (user_id,) in await conn.fetch("SELECT id FROM users ORDER BY id"):
                by_count = await conn.fetchval(
                    f"SELECT id FROM ({readable}) m ORDER BY id DESC LIMIT 1 OFFSET $2", user_id, keep_count
                )
                by_age = await conn.fetchval(f"SELECT max(id) FROM ({mine}) m WHERE at < $2", user_id, cutoff)
                boundary = max(by_count or 0, by_age or 0)
                if boundary <= 0:
                    continue
                removed += await conn.fetchval(
                    f"SELECT count(*) FROM notifications n WHERE {to_everyone} AND n.id <= $2",
                    user_id,
                    boundary,
                )
                status = await conn.execute(
                    "DELETE FROM inbox WHERE user_id = $1 AND notification_id <= $2", user_id, boundary
                )
                removed += count_rows(status)
                await conn.execute(
                    "UPDATE users SET pruned_upto = GREATEST(pruned_upto, $1) WHERE id = $2", boundary, user_id
                )
            # A notification to everyone goes once no user has it any more (all of them, with no users).
            gone = count_rows(
                await conn.execute(
                    "DELETE FROM notifications WHERE everyone AND id <= coalesce("
                    "(SELECT min(GREATEST(first_id, pruned_upto)) FROM users), (SELECT max(id) FROM notifications))"
                )
            )
            gone += count_rows(await conn.execute(orphans(POSTGRES)))
            await conn.execute(ORPHAN_ANSWERS)
            for statement in ORPHAN_READS:
                await conn.execute(statement)
        return PruneResult(removed_deliveries=removed, removed_notifications=gone)

    # ------------------------------------------------------------------ cursors

    async def cursor(self, device: str, user_id: int) -> int:
        async with self._pool.conn() as conn:
            value = await conn.fetchval("SELECT last_id FROM cursors WHERE device = $1", device)
            if value is not None:
                return int(value)
            start = await conn.fetchval("SELECT pruned_upto FROM users WHERE id = $1", user_id)
            last_id = int(start or 0)
            await conn.execute(
                "INSERT INTO cursors(device, user_id, last_id) VALUES ($1, $2, $3) ON CONFLICT (device) DO NOTHING",
                device,
                user_id,
                last_id,
            )
        return last_id

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        if not cursors:
            return
        rows = [(device, user_id, last_id) for device, (user_id, last_id) in sorted(cursors.items())]
        async with self._pool.tx() as conn:
            await conn.executemany(
                "INSERT INTO cursors(device, user_id, last_id) VALUES ($1, $2, $3)"
                " ON CONFLICT (device) DO UPDATE SET last_id = GREATEST(cursors.last_id, excluded.last_id)",
                rows,
            )
