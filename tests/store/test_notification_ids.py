"""Notification ids: given by the store, strictly increasing for ever (a device resumes after the
newest id it was sent), carried over whole when SQLite's `notifications` table is rebuilt without
AUTOINCREMENT."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from hub.protocol import Kind
from hub.store import SqliteStore, Store
from tests.support.stores import HEAD_VERSION, NOW, SEEDED, draft, same_place, sqlite_store_at

OLD = "2025-01-01T00:00:00.000Z"


def table(db: sqlite3.Connection, name: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.execute(f"SELECT * FROM {name} ORDER BY 1, 2")]


async def test_an_upgrade_rebuilds_notifications_without_autoincrement_and_carries_every_id(tmp_path: Path) -> None:
    path = sqlite_store_at(tmp_path / "hub.sqlite3", HEAD_VERSION - 1)
    db = sqlite3.connect(path, isolation_level=None)
    try:  # as the hub left it after bob's two newest notifications went: AUTOINCREMENT's counter is past them
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(
            "INSERT INTO notifications(id, kind, type, title, message, sender, created_at, sender_id)"
            f" VALUES (5, 'direct', 'info', '', 'gone', 'alice', '{NOW}', 1),"
            f" (6, 'direct', 'info', '', 'gone', 'alice', '{NOW}', 1)"
        )
        db.execute("INSERT INTO inbox(user_id, notification_id) VALUES (2, 5), (2, 6)")
        db.execute("DELETE FROM notifications WHERE id > 4")  # their inbox rows go with them
        assert db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'notifications'").fetchone() == (6,)
        before = {name: table(db, name) for name in ("notifications", "inbox", "cursors")}
    finally:
        db.close()

    store = SqliteStore(path)
    await store.open()
    try:
        [after] = await store.add([draft(Kind.DIRECT, "after the upgrade", to_user_id=2)])
        carol = await store.create_user("carol", None, admin=False)
        await store.add([draft(Kind.DIRECT, "for carol", to_user_id=carol.id)])
        assert await store.remove_user("carol")  # references act again: carol's inbox goes with her
        replayed = await store.replay(2, SEEDED.device_cursor, 100)
    finally:
        await store.close()

    assert after.notification.id == 7  # past every id ever given, not only past the rows left
    assert [n.message for n in replayed] == [*SEEDED.bob_messages_v2[1:], "after the upgrade"]
    db = sqlite3.connect(path)
    try:
        schema = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'notifications'").fetchone()
        assert "AUTOINCREMENT" not in schema[0].upper()
        assert db.execute("SELECT * FROM sqlite_sequence WHERE name = 'notifications'").fetchall() == []
        assert db.execute("SELECT last_id FROM notification_head").fetchall() == [(8,)]
        assert [row for row in table(db, "notifications") if row[0] <= 6] == before["notifications"]
        assert [row for row in table(db, "inbox") if row[1] <= 6] == before["inbox"]
        assert table(db, "cursors") == before["cursors"]
        assert db.execute("SELECT COUNT(*) FROM inbox WHERE user_id = ?", (carol.id,)).fetchone() == (0,)
        assert ("notifications", "notification_id", "id", "CASCADE") in [
            (r[2], r[3], r[4], r[6]) for r in db.execute("PRAGMA foreign_key_list(inbox)")
        ]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        indexes = {r[1] for r in db.execute("PRAGMA index_list(notifications)")}
        assert {"notifications_everyone", "notifications_key"} <= indexes
    finally:
        db.close()


async def test_no_id_is_given_again_after_the_newest_went_and_the_store_reopened(store: Store) -> None:
    """A device was sent everything; retention then removed every notification, and the hub
    restarted. The next notification has a new id: the device, resuming after the newest id it
    was sent, gets it, once, and nothing it had already."""
    bob = await store.create_user("bob", None, admin=False)
    sent = await store.add([draft(Kind.DIRECT, f"old {i}", timestamp=OLD, to_user_id=bob.id) for i in range(3)])
    await store.cursor("bob-laptop", bob.id)
    await store.save_cursors({"bob-laptop": (bob.id, sent[-1].notification.id)})
    assert (await store.prune(keep_days=30, keep_count=10, now=NOW)).removed_notifications == 3
    await store.close()

    again = same_place(store)
    await again.open()
    try:
        [new] = await again.add([draft(Kind.DIRECT, "after the restart", to_user_id=bob.id)])
        resume_after = await again.cursor("bob-laptop", bob.id)
        replayed = await again.replay(bob.id, resume_after, 100)
    finally:
        await again.close()

    assert new.notification.id > sent[-1].notification.id
    assert [(n.id, n.message) for n in replayed] == [(new.notification.id, "after the restart")]
