"""The plumbing of the PostgreSQL store: an asyncpg pool, and failures turned into `Unavailable`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from hub.errors import StoreError, Unavailable
from hub.redaction import redact_url
from hub.store.postgres.migrations import migrate

log = logging.getLogger(__name__)

#: Errors that mean "the database cannot be reached or used right now".
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


def count_rows(status: str) -> int:
    """Rows touched, from a command status such as 'DELETE 3' or 'INSERT 0 1'."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except ValueError:
        return 0


class PgPool:
    """An asyncpg pool: `conn()` and `tx()` turn a lost database into `Unavailable`."""

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 5.0) -> None:
        self.dsn = dsn
        self.timeout = timeout
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None

    def where(self) -> str:
        """The database's URL without its password, for logs."""
        return redact_url(self.dsn)

    # ------------------------------------------------------------------ plumbing

    async def open(self) -> None:
        """Connect and bring the schema up to date. A refused migration (a database from a newer
        release, no rights) closes the pool again: nothing stays connected to a store not opened."""
        try:
            self._pool = await asyncpg.create_pool(
                self.dsn,
                min_size=self._min_size,
                max_size=self._max_size,
                timeout=self.timeout,
                command_timeout=max(self.timeout, 10.0),
            )
            try:
                async with self._pool.acquire() as conn:
                    await migrate(conn)
            except BaseException:
                await self.close()
                raise
        except _UNAVAILABLE as exc:
            raise Unavailable(f"cannot reach PostgreSQL at {self.where()} ({exc})") from exc
        except asyncpg.PostgresError as exc:  # reached, but refused: no such database, no rights to migrate
            raise StoreError(f"cannot open the store at {self.where()}: {exc}") from exc

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), self.timeout)
            except _UNAVAILABLE:  # includes TimeoutError
                pool.terminate()

    @asynccontextmanager
    async def conn(self) -> AsyncIterator[Any]:
        if self._pool is None:
            raise Unavailable("the store is not open")
        try:
            async with self._pool.acquire(timeout=self.timeout) as conn:
                yield conn
        except _UNAVAILABLE as exc:
            log.error("store error: %s", exc)
            raise Unavailable(f"the store cannot be used right now ({type(exc).__name__})") from exc

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Any]:
        async with self.conn() as conn, conn.transaction():
            yield conn

    async def check(self) -> None:
        async with self.conn() as conn:
            await conn.fetchval("SELECT 1")
