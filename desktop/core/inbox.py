"""Where received notifications go: the history first, then the unread count and the toasts.

The history decides what is new, so a replay after a reconnect (or a notification delivered twice)
never toasts or counts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from desktop.core.dnd import Sink
from desktop.core.history import AsyncHistory
from desktop.core.models import Gap, Notification
from desktop.core.unread import UnreadCounter

GAP_TITLE = "Some notifications were missed"
GAP_HINT = "Click to open the history: it marks the place"
S = TypeVar("S", bound=Sink)


class Inbox(Generic[S]):
    """`toasts` is the toast policy, or the do-not-disturb gate in front of it."""

    def __init__(self, history: AsyncHistory, unread: UnreadCounter, toasts: S) -> None:
        self.history = history
        self.unread = unread
        self.toasts = toasts
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Hear that the history changed (to refresh an open history window)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    async def load(self) -> int | None:
        """Read the unread count from disk; returns the last id held (the resume point)."""
        self.unread.reset_to(await self.history.unread_count())
        return await self.history.last_id()

    async def receive(self, notification: Notification) -> bool:
        """A notification arrived (live or replayed). Returns False for one already held."""
        if not await self.history.add(notification):
            return False
        self.unread.add()
        self.toasts.push(notification)
        self._changed()
        return True

    async def gap(self, gap: Gap) -> None:
        """The hub could not replay some notifications: say so once, and mark the place in the history.

        A device that held nothing yet (first sign-in) missed nothing it knew of: marked, not toasted.
        """
        fresh = await self.history.last_id() is None
        if await self.history.add_gap(gap):
            if not fresh:
                self.toasts.push_notice(GAP_TITLE, gap.message, style="warning", hint=GAP_HINT)
            self._changed()

    async def mark_all_read(self) -> None:
        await self.history.mark_all_read()
        self.unread.mark_all_read()
        self._changed()
