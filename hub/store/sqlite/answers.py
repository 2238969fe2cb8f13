"""The SQLite store's answers to `respond` buttons (see `hub.store.answers`)."""

from __future__ import annotations

import sqlite3

from hub.store.answers import AnswerTarget, StoredAnswer, answer_sql
from hub.store.rows import notification_from_row
from hub.store.schema import SQLITE
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
            return AnswerTarget(notification_from_row(row), bool(row[9]), recipients)

        return await self._thread.run(run)

    async def claim(self, notification_id: int, user_id: int, label: str, at: str) -> str | None:
        def run(db: sqlite3.Connection) -> str | None:
            if db.execute(SQL.claim, (notification_id, user_id, label, at)).rowcount == 1:
                return None
            return str(db.execute(SQL.label, (notification_id, user_id)).fetchone()[0])

        return await self._thread.run(run)

    async def release(self, notification_id: int, user_id: int) -> None:
        await self._thread.run(lambda db: db.execute(SQL.release, (notification_id, user_id)))

    async def settle(self, notification_id: int, user_id: int, response_id: int) -> None:
        await self._thread.run(lambda db: db.execute(SQL.settle, (response_id, notification_id, user_id)))

    async def answers(self, notification_id: int) -> list[StoredAnswer]:
        def run(db: sqlite3.Connection) -> list[StoredAnswer]:
            return [StoredAnswer(*r) for r in db.execute(SQL.answers, (notification_id,)).fetchall()]

        return await self._thread.run(run)
