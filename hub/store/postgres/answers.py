"""The PostgreSQL store's answers to `respond` buttons (see `hub.store.answers`)."""

from __future__ import annotations

from hub.store.answers import AnswerTarget, StoredAnswer, answer_sql
from hub.store.postgres.pool import PgPool, count_rows
from hub.store.rows import notification_from_row
from hub.store.schema import POSTGRES

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
        return AnswerTarget(notification_from_row(row), bool(row[9]), tuple(r[0] for r in recipients))

    async def claim(self, notification_id: int, user_id: int, label: str, at: str) -> str | None:
        async with self._pool.conn() as conn:
            if count_rows(await conn.execute(SQL.claim, notification_id, user_id, label, at)) == 1:
                return None
            return str(await conn.fetchval(SQL.label, notification_id, user_id))

    async def release(self, notification_id: int, user_id: int) -> None:
        async with self._pool.conn() as conn:
            await conn.execute(SQL.release, notification_id, user_id)

    async def settle(self, notification_id: int, user_id: int, response_id: int) -> None:
        async with self._pool.conn() as conn:
            await conn.execute(SQL.settle, response_id, notification_id, user_id)

    async def answers(self, notification_id: int) -> list[StoredAnswer]:
        async with self._pool.conn() as conn:
            rows = await conn.fetch(SQL.answers, notification_id)
        return [StoredAnswer(*r) for r in rows]
