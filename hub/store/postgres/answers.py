"""The PostgreSQL store's answers to `respond` buttons (see `hub.store.answers`)."""

from __future__ import annotations

from hub.store.answers import AnswerTarget, StoredAnswer, answer_sql
from hub.store.postgres.pool import PgPool
from hub.store.rows import notification_from_row
from hub.store.schema import AFTER_NOTIFICATION, POSTGRES

SQL = answer_sql(POSTGRES)


class PgAnswers:
    def __init__(self, pool: PgPool) -> None:
        self._pool = pool

    async def target(self, notification_id: int, user_id: int) -> AnswerTarget | None:
        async with self._pool.conn() as conn:
            row = await conn.fetchrow(SQL.target, notification_id, user_id)
            if row is None:
                return None
            recipients = await conn.fetch(SQL.recipients, notification_id)
        return AnswerTarget(notification_from_row(row), bool(row[AFTER_NOTIFICATION]), tuple(r[0] for r in recipients))

    async def answers(self, notification_id: int) -> list[StoredAnswer]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.answers, notification_id)
        return [StoredAnswer(*r) for r in rows]
