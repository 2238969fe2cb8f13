"""What both stores hand on to their notification part, written once.

Each store keeps accounts, tokens and rooms itself and holds a part for notifications and delivery
cursors (`SqliteNotifications`, `PgNotifications`); `HandsOnNotifications` gives a store the
`Store` protocol's notification and cursor methods by calling that part.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hub.protocol import Notification
from hub.store.base import NewNotification, PruneResult, Stored, StoredBatch


class NotificationsPart(Protocol):
    async def add(self, new: Sequence[NewNotification]) -> list[Stored]: ...
    async def add_batch(self, new: Sequence[NewNotification]) -> StoredBatch: ...
    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]: ...
    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]: ...
    async def pruned_upto(self, user_id: int) -> int: ...
    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult: ...
    async def cursor(self, device: str, user_id: int) -> int: ...
    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None: ...


class HandsOnNotifications:
    """The `Store` protocol's notification and cursor methods, handed on to `self.notifications`."""

    notifications: NotificationsPart

    async def add(self, new: Sequence[NewNotification]) -> list[Stored]:
        return await self.notifications.add(new)

    async def add_batch(self, new: Sequence[NewNotification]) -> StoredBatch:
        return await self.notifications.add_batch(new)

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.notifications.replay(user_id, after_id, limit)

    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.notifications.history(user_id, after_id, limit)

    async def pruned_upto(self, user_id: int) -> int:
        return await self.notifications.pruned_upto(user_id)

    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult:
        return await self.notifications.prune(keep_days=keep_days, keep_count=keep_count, now=now)

    async def cursor(self, device: str, user_id: int) -> int:
        return await self.notifications.cursor(device, user_id)

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        await self.notifications.save_cursors(cursors)
