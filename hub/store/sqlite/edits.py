"""The SQLite store's notifications by key, and answers claimed as their `response` is stored (see
`hub.store.edits`). `prepare` and `drop` run on the store's thread, in the batch's transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from hub.errors import Conflict
from hub.protocol import Kind
from hub.store.base import NewNotification
from hub.store.edits import EditPlan, KeyRef, claims, edit_sql, key_ref, plan_edits
from hub.store.schema import SQLITE
from hub.store.sqlite.thread import StoreThread

SQL = edit_sql(SQLITE)


def prepare(db: sqlite3.Connection, new: Sequence[NewNotification], prev: int) -> EditPlan | None:
    """Claim the batch's answers and plan its updates and retractions; None when it has neither."""
    refs = {ref: n.kind for n in new if (ref := key_ref(n)) is not None}
    answered = claims(new)
    if not refs and not answered:
        return None
    for i, c in answered:
        if db.execute(SQL.claim, (c.notification_id, c.user_id, c.label, prev + i + 1, c.at)).rowcount != 1:
            given = db.execute(SQL.label, (c.notification_id, c.user_id)).fetchone()[0]
            raise Conflict(f"you already answered this notification ({given})")
    live = {ref: [r[0] for r in db.execute(SQL.live, ref)] for ref in refs}
    retracted = {n_ref for n in new if n.kind is Kind.RETRACT and (n_ref := key_ref(n)) is not None}
    holders = {ref: [r[0] for r in db.execute(SQL.holders, ref)] for ref in retracted}
    return plan_edits(new, prev, live, holders)


def drop(db: sqlite3.Connection, gone: Sequence[int]) -> None:
    """Delete superseded and retracted notifications (in the transaction that stored the batch)."""
    if gone:
        ids = json.dumps(list(gone))
        db.execute("DELETE FROM inbox WHERE notification_id IN (SELECT value FROM json_each(?))", (ids,))
        db.execute("DELETE FROM notifications WHERE id IN (SELECT value FROM json_each(?))", (ids,))


class SqliteEdits:
    def __init__(self, thread: StoreThread) -> None:
        self._thread = thread

    async def live(self, ref: KeyRef) -> list[int]:
        return await self._thread.run(lambda db: [r[0] for r in db.execute(SQL.live, ref)])
