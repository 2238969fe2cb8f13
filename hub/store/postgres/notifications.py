"""The PostgreSQL store's notifications, their chain of ids, retention and delivery cursors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.errors import NotFound
from hub.protocol import Kind, Notification, NotificationType
from hub.store.base import LIVE_ONLY, TO_EVERYONE, NewNotification, PruneResult, Stored, StoredBatch
from hub.store.postgres.pool import PgPool, count_rows

#: Advisory lock held while pruning: every hub runs retention, one at a time does the work.
PRUNE_LOCK = 0x6C6E_7072  # "lnpr"

_NOTIFICATION_COLUMNS = "n.id, n.kind, n.type, n.title, n.message, n.sender, n.room, n.created_at"
#: Notifications to everyone a user still has: after the later of when the user was created and
#: what retention removed for them. `$1` is the user's id.
_EVERYONE_AFTER_FLOOR = "n.everyone AND n.id > (SELECT GREATEST(first_id, pruned_upto) FROM users WHERE id = $1)"
#: Notifications nobody receives any more (to everyone: see `prune`).
ORPHANS = (
    "DELETE FROM notifications n"
    " WHERE NOT n.everyone AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)"
)


def _notification(row: Any) -> Notification:
    return Notification(
        id=row[0],
        kind=Kind(row[1]),
        type=NotificationType(row[2]),
        title=row[3],
        message=row[4],
        sender=row[5],
        room=row[6],
        timestamp=row[7],
    )


class NotificationTables(PgPool):
    # ------------------------------------------------------------------ notifications

    async def add(self, drafts: Sequence[NewNotification]) -> list[Stored]:
        return (await self.add_batch(drafts)).items

    async def add_batch(self, drafts: Sequence[NewNotification]) -> StoredBatch:
        """Store drafts in one transaction with the next ids after the head; durable when this returns."""
        async with self._tx() as conn:
            prev = int(await conn.fetchval("SELECT last_id FROM notification_head FOR UPDATE"))
            everyone: tuple[int, ...] | None = None
            members: dict[str, list[int]] = {}
            rows: list[tuple[Any, ...]] = []
            inbox: list[tuple[int, int]] = []
            out: list[Stored] = []
            for offset, d in enumerate(drafts, start=1):
                nid = prev + offset
                to_everyone = d.kind in TO_EVERYONE
                recipients: Sequence[int]
                if to_everyone:  # one row, whoever the users are: no inbox rows
                    if everyone is None:
                        everyone = tuple(r[0] for r in await conn.fetch("SELECT id FROM users ORDER BY id"))
                    recipients = everyone
                elif d.kind is Kind.DIRECT:
                    recipients = [d.to_user_id] if d.to_user_id is not None else []
                elif d.kind in (Kind.ROOM, Kind.NOTICE):
                    assert d.room is not None
                    if d.room not in members:
                        members[d.room] = [
                            r[0]
                            for r in await conn.fetch(
                                "SELECT user_id FROM room_members WHERE room = $1 ORDER BY user_id", d.room
                            )
                        ]
                    recipients = [u for u in members[d.room] if u != d.about_user_id]
                rows.append(
                    (nid, d.kind.value, d.type.value, d.title, d.message, d.sender, d.room, d.timestamp, to_everyone)
                )
                if not to_everyone and d.kind not in LIVE_ONLY:
                    inbox.extend((u, nid) for u in recipients)
                note = Notification(
                    id=nid,
                    kind=d.kind,
                    type=d.type,
                    title=d.title,
                    message=d.message,
                    sender=d.sender,
                    room=d.room,
                    timestamp=d.timestamp,
                )
                out.append(Stored(note, tuple(recipients)))
            if rows:
                await conn.copy_records_to_table(
                    "notifications",
                    records=rows,
                    columns=["id", "kind", "type", "title", "message", "sender", "room", "created_at", "everyone"],
                )
            if inbox:
                await conn.copy_records_to_table("inbox", records=inbox, columns=["user_id", "notification_id"])
            head = prev + len(rows)
            await conn.execute("UPDATE notification_head SET last_id = $1", head)
        return StoredBatch(prev=prev, head=head, items=out)

    async def head(self) -> int:
        """The newest committed notification id."""
        async with self._conn() as conn:
            return int(await conn.fetchval("SELECT last_id FROM notification_head"))

    async def integrity_check(self) -> str:
        """'ok', or what is wrong with the notification tables (the rest is kept by constraints)."""
        async with self._conn() as conn:
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
        async with self._conn() as conn:
            rows = await conn.fetch(
                f"SELECT {_NOTIFICATION_COLUMNS},"
                " CASE WHEN n.everyone"
                " THEN ARRAY(SELECT u.id FROM users u WHERE GREATEST(u.first_id, u.pruned_upto) < n.id ORDER BY u.id)"
                " ELSE ARRAY(SELECT i.user_id FROM inbox i WHERE i.notification_id = n.id ORDER BY i.user_id) END"
                " FROM notifications n WHERE n.id > $1 AND n.id <= $2 ORDER BY n.id LIMIT $3",
                after_id,
                upto_id,
                limit,
            )
        return [Stored(_notification(r), tuple(r[8])) for r in rows]

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        async with self._conn() as conn:
            rows = await conn.fetch(
                f"SELECT {_NOTIFICATION_COLUMNS} FROM inbox i JOIN notifications n ON n.id = i.notification_id"
                " WHERE i.user_id = $1 AND i.notification_id > $2"
                f" UNION ALL SELECT {_NOTIFICATION_COLUMNS} FROM notifications n"
                f" WHERE {_EVERYONE_AFTER_FLOOR} AND n.id > $2"
                " ORDER BY 1 LIMIT $3",
                user_id,
                after_id,
                limit,
            )
        return [_notification(r) for r in rows]

    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.replay(user_id, after_id, limit)

    async def pruned_upto(self, user_id: int) -> int:
        async with self._conn() as conn:
            value = await conn.fetchval("SELECT pruned_upto FROM users WHERE id = $1", user_id)
        if value is None:
            raise NotFound("no such user")
        return int(value)

    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult:
        from hub.store.sqlite.store import _days_before

        cutoff = _days_before(now, keep_days)
        removed = 0
        async with self._tx() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", PRUNE_LOCK):
                return PruneResult(removed_deliveries=0, removed_notifications=0)  # another hub is at it
            for (user_id,) in await conn.fetch("SELECT id FROM users ORDER BY id"):
                # The user's notifications: inbox rows, and those to everyone after their floor.
                mine = (
                    "SELECT i.notification_id AS id, n.created_at AS at FROM inbox i"
                    " JOIN notifications n ON n.id = i.notification_id WHERE i.user_id = $1"
                    f" UNION ALL SELECT n.id, n.created_at FROM notifications n WHERE {_EVERYONE_AFTER_FLOOR}"
                )
                by_count = await conn.fetchval(
                    f"SELECT id FROM ({mine}) m ORDER BY id DESC LIMIT 1 OFFSET $2", user_id, keep_count
                )
                by_age = await conn.fetchval(f"SELECT max(id) FROM ({mine}) m WHERE at < $2", user_id, cutoff)
                boundary = max(by_count or 0, by_age or 0)
                if boundary <= 0:
                    continue
                removed += await conn.fetchval(
                    f"SELECT count(*) FROM notifications n WHERE {_EVERYONE_AFTER_FLOOR} AND n.id <= $2",
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
            gone += count_rows(await conn.execute(ORPHANS))
        return PruneResult(removed_deliveries=removed, removed_notifications=gone)

    # ------------------------------------------------------------------ cursors

    async def cursor(self, device: str, user_id: int) -> int:
        async with self._conn() as conn:
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
        async with self._tx() as conn:
            await conn.executemany(
                "INSERT INTO cursors(device, user_id, last_id) VALUES ($1, $2, $3)"
                " ON CONFLICT (device) DO UPDATE SET last_id = GREATEST(cursors.last_id, excluded.last_id)",
                rows,
            )
