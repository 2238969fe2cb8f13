"""The SQLite store's answers to `respond` buttons (see `hub.store.answers`)."""

from __future__ import annotations

import sqlite3

from hub.store.answers import AnswerTarget, StoredAnswer, answer_sql
from hub.store.rows import notification_from_row
from hub.store.schema import AFTER_NOTIFICATION, SQLITE
from hub.store.sqlite.thread import StoreThread

SQL = answer_sql(SQLITE)


class SqliteAnswers:
    def __init__(self, thread: StoreThread) -> None:
        self._thread = thread

    async def target(self, notification_id: int, user_id: int) -> AnswerTarget | None:
        def run(db: sqlite3.Connection) -> AnswerTarget | None:
            row = db.execute(SQL.target, (notification_id, user_id)).fetchone()
            if row is None:
                return None
            recipients = tuple(r[0] for r in db.execute(SQL.recipients, (notification_id,)))
            return AnswerTarget(notification_from_row(row), bool(row[AFTER_NOTIFICATION]), recipients)

        return await self._thread.run(run)

    async def answers(self, notification_id: int) -> list[StoredAnswer]:
        def run(db: sqlite3.Connection) -> list[StoredAnswer]:
            return [StoredAnswer(*r) for r in db.execute(SQL.answers, (notification_id,)).fetchall()]

        return await self._thread.run(run)
