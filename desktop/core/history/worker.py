"""`AsyncHistory`: a `HistoryStore` on its own worker thread; every call is awaited, none blocks the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from desktop.core.history.store import PAGE, HistoryEntry, HistoryStore, StoredNotification, Types
from desktop.core.models import Gap, ReceivedNotification, ReceivedResponse
from desktop.core.readstate import Receipt, ReceiptState

_T = TypeVar("_T")


class AsyncHistory:
    """A `HistoryStore` on its own worker thread (sqlite3 lets go of the GIL while it reads and writes)."""

    def __init__(self, executor: ThreadPoolExecutor, store: HistoryStore) -> None:
        self._executor = executor
        self._store = store
        self._closed = False

    @classmethod
    async def open(cls, path: Path | str) -> AsyncHistory:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        try:
            store = await asyncio.get_running_loop().run_in_executor(executor, HistoryStore, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, store)

    async def _run(self, fn: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def add(self, notification: ReceivedNotification) -> bool:
        return await self._run(lambda: self._store.add(notification))

    async def add_many(self, notifications: Sequence[ReceivedNotification]) -> list[ReceivedNotification]:
        return await self._run(lambda: self._store.add_many(notifications))

    async def add_response(self, response: ReceivedResponse) -> bool:
        return await self._run(lambda: self._store.add_response(response))

    async def responses(self, notification_id: int) -> list[ReceivedResponse]:
        return await self._run(lambda: self._store.responses(notification_id))

    async def add_gap(self, gap: Gap) -> bool:
        return await self._run(lambda: self._store.add_gap(gap))

    async def mark_all_read(self, *, types: Types = None, search: str = "") -> int:
        return await self._run(lambda: self._store.mark_all_read(types=types, search=search))

    async def mark_read_upto(self, upto: int) -> int:
        return await self._run(lambda: self._store.mark_read_upto(upto))

    async def keyed(self, sender: str, key: str, before: int, *, room: str | bool | None = False) -> list[int]:
        return await self._run(lambda: self._store.keyed(sender, key, before, room=room))

    async def unread_ids(self, *, types: Types = None, search: str = "") -> list[int]:
        return await self._run(lambda: self._store.unread_ids(types=types, search=search))

    async def add_sent(self, notification: ReceivedNotification, addressee: str = "") -> bool:
        return await self._run(lambda: self._store.add_sent(notification, addressee))

    async def sent_to(self, notification_id: int) -> str | None:
        return await self._run(lambda: self._store.sent_to(notification_id))

    async def take_receipt(self, receipt: Receipt) -> ReceiptState:
        return await self._run(lambda: self._store.take_receipt(receipt))

    async def receipt(self, notification_id: int) -> ReceiptState | None:
        return await self._run(lambda: self._store.receipt(notification_id))

    async def mark_read(self, notification_id: int) -> bool:
        return await self._run(lambda: self._store.mark_read(notification_id))

    async def set_read(self, notification_ids: Sequence[int], read: bool) -> int:
        return await self._run(lambda: self._store.set_read(notification_ids, read))

    async def delete(self, notification_ids: Sequence[int]) -> int:
        return await self._run(lambda: self._store.delete(notification_ids))

    async def clear(self) -> int:
        return await self._run(self._store.clear)

    async def last_id(self) -> int | None:
        return await self._run(self._store.last_id)

    async def unread_count(self) -> int:
        return await self._run(self._store.unread_count)

    async def counts(self, *, types: Types = None, search: str = "") -> tuple[int, int]:
        return await self._run(lambda: self._store.counts(types=types, search=search))

    async def get(self, notification_id: int) -> StoredNotification | None:
        return await self._run(lambda: self._store.get(notification_id))

    async def entries(
        self,
        *,
        types: Types = None,
        search: str = "",
        limit: int = PAGE,
        before: int | None = None,
        after: int | None = None,
    ) -> list[HistoryEntry]:
        return await self._run(
            lambda: self._store.entries(types=types, search=search, limit=limit, before=before, after=after)
        )

    async def close(self) -> None:
        """Close the database and its thread; closing twice is fine."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._run(self._store.close)
        finally:
            self._executor.shutdown(wait=False)
