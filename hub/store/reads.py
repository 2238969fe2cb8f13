"""Read marks and receipts in the store, for both backends.

A user's read state is a floor (`read_floors.upto`: everything of theirs up to it is read, what
"Mark all read" moves) and the ids read above it (`read_marks`, folded into the floor when it
passes them). Only the kinds a person reads count (`hub.readstate.READABLE`).

A receipt is asked for by the notification itself (`"receipt":true` in its `rich` column); the
devices that acked it are `receipt_devices` rows and the users who saw it `receipt_seen` rows, each
inserted once (their primary keys), so a second ack or `seen` tells the sender nothing new.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

from hub.protocol import Notification
from hub.store.schema import NOTIFICATION_COLUMNS, Dialect, everyone_after_floor


@dataclass(frozen=True, slots=True)
class FloorMove:
    """What "mark all read up to an id" did: the floor before, the newest of the user's up to the id
    (all read now), and whether anything was unread in between."""

    before: int
    after: int
    changed: bool


@dataclass(frozen=True, slots=True)
class Tally:
    """A notification's receipts so far. `addressees` excludes its sender."""

    addressees: int
    delivered_users: int
    delivered_devices: int
    seen_users: int

    def wire(self) -> dict[str, int]:
        return {
            "addressees": self.addressees,
            "delivered": self.delivered_users,
            "delivered_devices": self.delivered_devices,
            "seen": self.seen_users,
        }


@dataclass(frozen=True, slots=True)
class Addressee:
    """One addressee of a notification with a receipt: how many devices acked it, when first, when seen."""

    name: str
    devices: int
    delivered_at: str | None
    seen_at: str | None

    def wire(self) -> dict[str, object]:
        return {"user": self.name, "devices": self.devices, "delivered_at": self.delivered_at, "seen_at": self.seen_at}


class ReadsPart(Protocol):
    async def mark(self, user_id: int, ids: list[int]) -> list[int]:
        """Mark read those of `ids` the user has: those ids (read now, or before), ascending."""

    async def mark_all(self, user_id: int, upto: int) -> FloorMove | None:
        """Everything the user has up to `upto` is read (the floor moves to the newest of theirs up to
        it, unless it is past it already); None when they have nothing up to `upto`."""

    async def unread(self, user_id: int) -> tuple[int, int]:
        """The user's unread count and the newest id stored when it was counted."""

    async def read_among(self, user_id: int, ids: list[int]) -> set[int]:
        """Those of `ids` that are read for the user."""

    async def receipts_between(self, user_id: int, after: int, upto: int) -> list[Notification]:
        """The user's notifications in `(after, upto]` whose sender asked for a receipt."""

    async def receipts_among(self, user_id: int, ids: list[int]) -> list[Notification]:
        """The user's notifications among `ids` whose sender asked for a receipt."""

    async def delivered(self, ids: list[int], user_id: int, device: str, at: str) -> dict[int, int]:
        """Note that a device of the user has each of `ids` (one transaction): for each not noted
        before, the user's device count that has it."""

    async def seen(self, ids: list[int], user_id: int, at: str) -> list[int]:
        """Note that the user saw each of `ids` (one transaction): those not noted before, in order."""

    async def tally(self, note: Notification) -> Tally: ...

    async def addressees(self, note: Notification, limit: int) -> list[Addressee]:
        """Up to `limit` of the notification's addressees (its sender excluded), by name."""


_READABLE = "n.kind IN ('direct', 'room', 'everyone', 'announcement')"
_RECEIPT = """n.rich LIKE '%"receipt":true%'"""

#: Retention: marks and receipts of notifications that are gone.
ORPHAN_READS = tuple(
    f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = {table}.notification_id)"
    for table in ("read_marks", "receipt_devices", "receipt_seen")
)


def id_list(d: Dialect, n: int) -> str:
    """A list of ids given as parameter `n` (SQLite: a JSON array; PostgreSQL: a bigint array), as rows `v`."""
    if d.name == "sqlite":
        return f"SELECT value AS v FROM json_each({d.param(n)})"
    return f"SELECT unnest(CAST({d.param(n)} AS BIGINT[])) AS v"


def _mine(d: Dialect, columns: str, condition: str) -> str:
    """The user's (parameter 1) readable notifications that meet `condition` (on `n`)."""
    return (
        f"SELECT {columns} FROM inbox i JOIN notifications n ON n.id = i.notification_id"
        f" WHERE i.user_id = {d.param(1)} AND {_READABLE} AND {condition}"
        f" UNION ALL SELECT {columns} FROM notifications n WHERE {everyone_after_floor(d)} AND {condition}"
    )


@dataclass(frozen=True, slots=True)
class ReadSql:
    """The statements both backends run for read marks and receipts, in one dialect."""

    mark: str
    theirs: str
    floor: str
    newest_upto: str
    unread_between: str
    set_floor: str
    fold_marks: str
    unread: str
    read_among: str
    receipts_between: str
    receipts_among: str
    delivered: str
    devices: str
    seen: str
    tally: str
    addressees: str


@functools.cache
def read_sql(d: Dialect) -> ReadSql:
    p1, p2, p3, p4 = (d.param(n) for n in range(1, 5))
    floor = f"COALESCE((SELECT upto FROM read_floors WHERE user_id = {p1}), 0)"
    unmarked = f"NOT EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = {p1} AND r.notification_id = x.id)"
    inboxed = f"EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id AND i.user_id = {p1})"
    has = f"{inboxed} OR ({everyone_after_floor(d)})"
    everyone_users = f"u.first_id < {p1}"
    return ReadSql(
        mark=(
            f"INSERT INTO read_marks(user_id, notification_id) SELECT {p1}, n.id FROM notifications n"
            f" WHERE n.id IN ({id_list(d, 2)}) AND {_READABLE} AND n.id > {floor} AND ({has})"
            " ON CONFLICT DO NOTHING"
        ),
        theirs=(
            f"SELECT n.id FROM notifications n WHERE n.id IN ({id_list(d, 2)}) AND {_READABLE} AND ({has})"
            " ORDER BY n.id"
        ),
        floor=f"SELECT {floor}",
        newest_upto=f"SELECT MAX(x.id) FROM ({_mine(d, 'n.id AS id', f'n.id <= {p2}')}) x",
        unread_between=(
            f"SELECT COUNT(*) FROM ({_mine(d, 'n.id AS id', f'n.id > {p3} AND n.id <= {p2}')}) x WHERE {unmarked}"
        ),
        set_floor=(
            f"INSERT INTO read_floors(user_id, upto) VALUES ({p1}, {p2})"
            f" ON CONFLICT(user_id) DO UPDATE SET upto = {d.greatest}(read_floors.upto, excluded.upto)"
        ),
        fold_marks=f"DELETE FROM read_marks WHERE user_id = {p1} AND notification_id <= {p2}",
        unread=(
            f"SELECT (SELECT COUNT(*) FROM ({_mine(d, 'n.id AS id', f'n.id > {floor}')}) x WHERE {unmarked}),"
            " (SELECT COALESCE(MAX(id), 0) FROM notifications)"
        ),
        read_among=(
            f"SELECT x.v FROM ({id_list(d, 2)}) x WHERE x.v <= {floor}"
            f" OR EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = {p1} AND r.notification_id = x.v)"
        ),
        receipts_between=(
            f"{_mine(d, NOTIFICATION_COLUMNS, f'n.id > {p2} AND n.id <= {p3} AND {_RECEIPT}')} ORDER BY 1"
        ),
        receipts_among=(f"{_mine(d, NOTIFICATION_COLUMNS, f'n.id IN ({id_list(d, 2)}) AND {_RECEIPT}')} ORDER BY 1"),
        delivered=(
            "INSERT INTO receipt_devices(notification_id, user_id, device, at)"
            f" VALUES ({p1}, {p2}, {p3}, {p4}) ON CONFLICT DO NOTHING"
        ),
        devices=f"SELECT COUNT(*) FROM receipt_devices WHERE notification_id = {p1} AND user_id = {p2}",
        seen=(
            f"INSERT INTO receipt_seen(notification_id, user_id, at) VALUES ({p1}, {p2}, {p3}) ON CONFLICT DO NOTHING"
        ),
        # Parameters: the notification, its sender's account id (0: none), whether it went to everyone.
        tally=(
            "SELECT (SELECT COUNT(*) FROM users u WHERE u.id <> {p2} AND ("
            f"({p3} AND {everyone_users}) OR (NOT {p3} AND"
            f" EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = {p1} AND i.user_id = u.id)))),"
            f" (SELECT COUNT(DISTINCT user_id) FROM receipt_devices WHERE notification_id = {p1}),"
            f" (SELECT COUNT(*) FROM receipt_devices WHERE notification_id = {p1}),"
            f" (SELECT COUNT(*) FROM receipt_seen WHERE notification_id = {p1})"
        ).replace("{p2}", p2),
        # Parameters: the notification, its sender's account id (0: none), whether it went to everyone, the limit.
        addressees=(
            "SELECT u.name,"
            f" (SELECT COUNT(*) FROM receipt_devices r WHERE r.notification_id = {p1} AND r.user_id = u.id),"
            f" (SELECT MIN(r.at) FROM receipt_devices r WHERE r.notification_id = {p1} AND r.user_id = u.id),"
            f" (SELECT s.at FROM receipt_seen s WHERE s.notification_id = {p1} AND s.user_id = u.id)"
            f" FROM users u WHERE u.id <> {p2} AND (({p3} AND {everyone_users}) OR (NOT {p3} AND"
            f" EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = {p1} AND i.user_id = u.id)))"
            f" ORDER BY u.name LIMIT {p4}"
        ),
    )
