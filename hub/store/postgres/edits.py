"""The PostgreSQL store's notifications by key, and answers claimed as their `response` is stored
(see `hub.store.edits`). `prepare` and `drop` run in the batch's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.errors import Conflict
from hub.protocol import Kind
from hub.store.base import NewNotification
from hub.store.edits import EditPlan, KeyRef, claims, edit_sql, key_ref, plan_edits
from hub.store.postgres.pool import PgPool, count_rows
from hub.store.schema import POSTGRES

SQL = edit_sql(POSTGRES)


async def prepare(conn: Any, new: Sequence[NewNotification], prev: int) -> EditPlan | None:
    """Claim the batch's answers and plan its updates and retractions; None when it has neither."""
    refs = {ref: n.kind for n in new if (ref := key_ref(n)) is not None}
    answered = claims(new)
    if not refs and not answered:
        return None
    for i, c in answered:
        if count_rows(await conn.execute(SQL.claim, c.notification_id, c.user_id, c.label, prev + i + 1, c.at)) != 1:
            given = await conn.fetchval(SQL.label, c.notification_id, c.user_id)
            raise Conflict(f"you already answered this notification ({given})")
    live = {ref: [r[0] for r in await conn.fetch(SQL.live, *ref)] for ref in refs}
    retracted = {n_ref for n in new if n.kind is Kind.RETRACT and (n_ref := key_ref(n)) is not None}
    holders = {ref: [r[0] for r in await conn.fetch(SQL.holders, *ref)] for ref in retracted}
    return plan_edits(new, prev, live, holders)


async def drop(conn: Any, gone: Sequence[int]) -> None:
    """Delete superseded and retracted notifications (in the transaction that stored the batch)."""
    if gone:
        await conn.execute("DELETE FROM inbox WHERE notification_id = ANY($1::bigint[])", list(gone))
        await conn.execute("DELETE FROM notifications WHERE id = ANY($1::bigint[])", list(gone))


class PgEdits:
    def __init__(self, pool: PgPool) -> None:
        self._pool = pool

    async def live(self, ref: KeyRef) -> list[int]:
        async with self._pool.conn() as conn:
            return [r[0] for r in await conn.fetch(SQL.live, *ref)]
