"""`HistoryStore`: one history database, synchronous, used from one thread (see `AsyncHistory`).

Notifications are keyed by their hub id, so a replay never duplicates anything, and what the user
deleted never comes back: the resume point (`last_id`) never goes down and deleted ids are
remembered. Lists come newest first, a page at a time (`before`/`after` an id); gap markers sit in
them at the place where notifications were lost.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from desktop.core.edits import key_fields
from desktop.core.history.receipts import load_receipt, take_receipt
from desktop.core.history.schema import migrate, schema_version
from desktop.core.models import (
    Gap,
    ReceivedNotification,
    ReceivedResponse,
    json_object,
    parse_timestamp,
    rich_from_json,
    rich_json,
)
from desktop.core.readstate import Receipt, ReceiptState
from desktop.errors import HistoryError
from hub.filemodes import private_sqlite
from hub.protocol import Kind, NotificationType

#: A page of the history: what a list asks for at once (it asks for more as it scrolls).
PAGE: Final = 200


@dataclass(frozen=True, slots=True)
class StoredNotification:
    notification: ReceivedNotification
    read: bool


@dataclass(frozen=True, slots=True)
class GapMarker:
    gap: Gap
    received_at: datetime


HistoryEntry = StoredNotification | GapMarker
Types = Collection[NotificationType] | None

_SAFE = re.compile(r"[^A-Za-z0-9_.@-]")
_COLUMNS: Final = "id, kind, type, title, message, sender, room, timestamp, read, rich"
_RESPONSE_COLUMNS: Final = "id, notification_id, label, responder, recipient, title, room, timestamp"


def history_path(data_dir: Path, hub_url: str, username: str) -> Path:
    """The database file of one hub + user under the app's data directory."""
    hub_key = hashlib.sha256(hub_url.strip().rstrip("/").lower().encode("utf-8")).hexdigest()[:16]
    return data_dir / "history" / f"{_SAFE.sub('_', username)}-{hub_key}.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(types: Types, search: str) -> tuple[list[str], list[object]] | None:
    """The SQL conditions of a type filter and a search (None: nothing can match)."""
    where: list[str] = []
    params: list[object] = []
    if types is not None:
        if not types:
            return None
        where.append(f"type IN ({', '.join('?' for _ in types)})")
        params.extend(t.value for t in types)
    needle = search.strip()
    if needle:
        pattern = f"%{_escape_like(needle)}%"
        where.append(
            "(title LIKE ? ESCAPE '\\' OR message LIKE ? ESCAPE '\\'"
            " OR sender LIKE ? ESCAPE '\\' OR coalesce(room, '') LIKE ? ESCAPE '\\')"
        )
        params.extend([pattern] * 4)
    return where, params


def _clause(where: list[str]) -> str:
    return f"WHERE {' AND '.join(where)}" if where else ""


class HistoryStore:
    """One history database. Not thread-safe: use it from one thread (see `AsyncHistory`)."""

    def __init__(self, path: Path | str) -> None:
        on_disk = str(path) != ":memory:"
        if on_disk:  # every notification received: readable by this user only, whatever the umask
            private_sqlite(Path(path))
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._db.execute("PRAGMA journal_mode = WAL")
            if on_disk:
                private_sqlite(Path(path))
            migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"cannot open the history at {path}: {exc}") from exc

    @property
    def schema_version(self) -> int:
        return schema_version(self._db)

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ writing

    def add(self, notification: ReceivedNotification) -> bool:
        """Store a notification; False when it was already there (a replay) or was deleted."""
        return bool(self.add_many([notification]))

    def add_many(self, notifications: Iterable[ReceivedNotification]) -> list[ReceivedNotification]:
        """Store several at once; returns the ones that were new, in the order given."""
        new: list[ReceivedNotification] = []
        received = _now()
        self._db.execute("BEGIN")
        try:
            cleared = self._cleared_upto()
            for n in notifications:
                if n.id <= cleared or self._db.execute("SELECT 1 FROM deleted WHERE id = ?", (n.id,)).fetchone():
                    continue  # the user deleted it: a replay does not bring it back
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO notifications"
                    " (id, kind, type, title, message, sender, room, timestamp, received_at, rich)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (n.id, n.kind.value, n.type.value, n.title, n.message, n.sender, n.room,
                     n.timestamp.isoformat(), received, rich_json(n)),
                )  # fmt: skip
                if cursor.rowcount:
                    new.append(n)
                    if n.replaces is not None and n.key is not None:  # a new version: the earlier ones go
                        self._forget([n.replaces, *self.keyed(n.sender, n.key, n.id, room=n.room)])
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return new

    def add_response(self, response: ReceivedResponse) -> bool:
        """Store an answer to a notification; False when it was already there (a replay, or our own ack)."""
        r = response
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO responses ({_RESPONSE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (r.id, r.notification_id, r.label, r.responder, r.to, r.title, r.room, r.timestamp.isoformat()),
        )
        return bool(cursor.rowcount)

    def add_sent(self, notification: ReceivedNotification, addressee: str = "") -> bool:
        """Keep a notification we sent to `addressee` ("bob", "#ops", "Everyone") to show its receipts, read;
        it does not move the resume point (`last_id`): a notification to us with a smaller id may still be on
        its way. Our own copy of it (a room we are in) may have come first: it is kept as it came, and
        known as sent. False when it was not added."""
        added = self.add(notification)
        if added:
            self._db.execute("UPDATE notifications SET read = 1 WHERE id = ?", (notification.id,))
        elif self.get(notification.id) is None:
            return False  # deleted here before
        self._db.execute(
            "INSERT OR REPLACE INTO sent (id, addressee) VALUES (?, ?)", (notification.id, addressee or None)
        )
        return added

    def sent_to(self, notification_id: int) -> str | None:
        """To whom we sent it ("" when not recorded), or None: not one we sent."""
        row = self._db.execute("SELECT addressee FROM sent WHERE id = ?", (notification_id,)).fetchone()
        return None if row is None else str(row[0] or "")

    def take_receipt(self, receipt: Receipt) -> ReceiptState:
        return take_receipt(self._db, receipt)

    def receipt(self, notification_id: int) -> ReceiptState | None:
        return load_receipt(self._db, notification_id)

    def responses(self, notification_id: int) -> list[ReceivedResponse]:
        """The answers to a notification, oldest first."""
        rows = self._db.execute(
            f"SELECT {_RESPONSE_COLUMNS} FROM responses WHERE notification_id = ? ORDER BY id", (notification_id,)
        ).fetchall()
        return [
            ReceivedResponse(int(i), int(n), str(label), str(by), str(to), str(title), room, parse_timestamp(at))
            for i, n, label, by, to, title, room, at in rows
        ]

    def add_gap(self, gap: Gap) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO gaps (since, upto, message, received_at) VALUES (?, ?, ?, ?)",
            (gap.since, gap.upto, gap.message, _now()),
        )
        return bool(cursor.rowcount)

    def mark_all_read(self, *, types: Types = None, search: str = "") -> int:
        """Mark read what the filter shows (everything, without one); returns how many were unread."""
        condition = _where(types, search)
        if condition is None:
            return 0
        where, params = condition
        clause = _clause([*where, "read = 0"])
        return self._db.execute(f"UPDATE notifications SET read = 1 {clause}", params).rowcount

    def mark_read_upto(self, upto: int) -> int:
        """Mark read everything up to `upto` (another device's "Mark all read"); returns how many changed."""
        return self._db.execute("UPDATE notifications SET read = 1 WHERE read = 0 AND id <= ?", (upto,)).rowcount

    def unread_ids(self, *, types: Types = None, search: str = "") -> list[int]:
        """The unread ids the filter shows (everything, without one), ascending."""
        condition = _where(types, search)
        if condition is None:
            return []
        where, params = condition
        rows = self._db.execute(f"SELECT id FROM notifications {_clause([*where, 'read = 0'])} ORDER BY id", params)
        return [int(r[0]) for r in rows]

    def keyed(self, sender: str, key: str, before: int, *, room: str | bool | None = False) -> list[int]:
        """The ids held from `sender` with `key`, older than `before` (a new version's or a retraction's
        id); given `room` (None: not a room's), only those addressed there."""
        where = "sender = ? AND id < ? AND json_extract(rich, '$.key') = ?"
        params: list[object] = [sender, before, key]
        if room is not False:
            where += " AND room IS ?"
            params.append(room)
        return [int(r[0]) for r in self._db.execute(f"SELECT id FROM notifications WHERE {where}", params)]

    def mark_read(self, notification_id: int) -> bool:
        return bool(self.set_read([notification_id], True))

    def set_read(self, notification_ids: Sequence[int], read: bool) -> int:
        """Mark these read (or unread again); returns how many changed."""
        if not notification_ids:
            return 0
        marks = ", ".join("?" for _ in notification_ids)
        return self._db.execute(
            f"UPDATE notifications SET read = ? WHERE read != ? AND id IN ({marks})",
            (int(read), int(read), *notification_ids),
        ).rowcount

    def delete(self, notification_ids: Sequence[int]) -> int:
        """Delete these from this computer; returns how many were there. The hub never replays them."""
        if not notification_ids:
            return 0
        self._db.execute("BEGIN")
        try:
            count = self._forget(notification_ids)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return count

    def _forget(self, notification_ids: Sequence[int]) -> int:
        """Delete these, remembering them as deleted (in the caller's transaction); how many were there."""
        marks = ", ".join("?" for _ in notification_ids)
        self._db.execute(
            f"INSERT OR IGNORE INTO deleted (id) SELECT id FROM notifications WHERE id IN ({marks})",
            notification_ids,
        )
        return self._db.execute(f"DELETE FROM notifications WHERE id IN ({marks})", notification_ids).rowcount

    def clear(self) -> int:
        """Delete the whole history (notifications and gap markers); returns how many notifications it held."""
        self._db.execute("BEGIN")
        try:
            upto = self.last_id() or 0
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('cleared_upto', ?)", (upto,))
            self._db.execute("DELETE FROM deleted WHERE id <= ?", (upto,))  # covered by cleared_upto now
            count = self._db.execute("DELETE FROM notifications").rowcount
            self._db.execute("DELETE FROM gaps")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return count

    # ------------------------------------------------------------------ reading

    def _cleared_upto(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'cleared_upto'").fetchone()
        return int(row[0]) if row else 0

    def last_id(self) -> int | None:
        """The newest notification id seen (held or deleted since): where to resume from."""
        row = self._db.execute(
            "SELECT max(coalesce((SELECT max(id) FROM notifications WHERE id NOT IN (SELECT id FROM sent)), 0),"
            " coalesce((SELECT max(id) FROM deleted), 0),"
            " coalesce((SELECT max(id) FROM responses), 0),"
            " coalesce((SELECT value FROM meta WHERE key = 'cleared_upto'), 0))"
        ).fetchone()
        return int(row[0]) or None

    def unread_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM notifications WHERE read = 0").fetchone()[0])

    def counts(self, *, types: Types = None, search: str = "") -> tuple[int, int]:
        """How many notifications the filter shows, and how many of those are unread."""
        condition = _where(types, search)
        if condition is None:
            return 0, 0
        where, params = condition
        total, unread = self._db.execute(
            f"SELECT count(*), coalesce(sum(read = 0), 0) FROM notifications {_clause(where)}", params
        ).fetchone()
        return int(total), int(unread)

    def get(self, notification_id: int) -> StoredNotification | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM notifications WHERE id = ?", (notification_id,)).fetchone()
        return None if row is None else _row_to_stored(row)

    def entries(
        self,
        *,
        types: Types = None,
        search: str = "",
        limit: int = PAGE,
        before: int | None = None,
        after: int | None = None,
    ) -> list[HistoryEntry]:
        """Newest first, at most `limit` notifications, those with ids below `before` (the next page) or above
        `after` (what arrived since). `types` keeps only those types; `search` matches title, text, sender or
        room. Gap markers are included at their place, unless a search is active or `after` is given.
        """
        condition = _where(types, search)
        if condition is None:
            return []
        where, params = condition
        if before is not None:
            where.append("id < ?")
            params.append(before)
        if after is not None:
            where.append("id > ?")
            params.append(after)
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notifications {_clause(where)} ORDER BY id DESC LIMIT ?", (*params, limit)
        ).fetchall()
        items = [_row_to_stored(row) for row in rows]
        if search.strip() or after is not None:
            return list(items)
        last_page = len(items) < limit
        lowest = items[-1].notification.id if items else None
        # This page's markers: those placed before one of its notifications (since >= its lowest id), or all
        # that are left when the list ends here; those of earlier pages (since >= before) are theirs.
        gap_where = ["since < ?"] if before is not None else []
        gap_params: list[object] = [before] if before is not None else []
        if not last_page:
            gap_where.append("since >= ?")
            gap_params.append(lowest)
        gaps = self._db.execute(
            f"SELECT since, upto, message, received_at FROM gaps {_clause(gap_where)} ORDER BY since DESC, upto DESC",
            gap_params,
        ).fetchall()
        markers = [GapMarker(Gap(int(s), int(u), str(m)), parse_timestamp(r)) for s, u, m, r in gaps]
        return _interleave(items, markers)


def _row_to_stored(row: Sequence[object]) -> StoredNotification:
    nid, kind, ntype, title, message, sender, room, timestamp, read, rich_text = row
    rich = rich_from_json(None if rich_text is None else str(rich_text))
    keyed = key_fields(json_object(None if rich_text is None else str(rich_text)))
    notification = ReceivedNotification(
        id=int(str(nid)),
        kind=Kind(str(kind)),
        type=NotificationType(str(ntype)),
        title=str(title),
        message=str(message),
        sender=str(sender),
        room=None if room is None else str(room),
        timestamp=parse_timestamp(str(timestamp)),
        priority=rich.priority,
        click=rich.click,
        actions=rich.actions,
        format=rich.format,
        **keyed,
    )
    return StoredNotification(notification, read=bool(read))


def _interleave(items: list[StoredNotification], markers: list[GapMarker]) -> list[HistoryEntry]:
    """Put each gap before the first notification it does not follow (ids > since come first), newest first."""
    merged: list[HistoryEntry] = []
    pending = list(markers)  # newest gap first
    for item in items:
        while pending and item.notification.id <= pending[0].gap.since:
            merged.append(pending.pop(0))
        merged.append(item)
    merged.extend(pending)  # the list ends here: older gaps go at the end
    return merged
