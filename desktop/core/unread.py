"""The unread count behind the tray badge."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[int], None]


class UnreadCounter:
    """Counts notifications the user has not seen in the history; listeners hear every change."""

    def __init__(self, count: int = 0) -> None:
        if count < 0:
            raise ValueError("an unread count cannot be negative")
        self._count = count
        self._listeners: list[Listener] = []

    @property
    def count(self) -> int:
        return self._count

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _set(self, count: int) -> None:
        if count == self._count:
            return
        self._count = count
        for listener in list(self._listeners):
            listener(count)

    def add(self, n: int = 1) -> None:
        if n < 0:
            raise ValueError("add a non-negative number of notifications")
        self._set(self._count + n)

    def reset_to(self, count: int) -> None:
        """Take the count from the history store (on start and after a sign-in)."""
        if count < 0:
            raise ValueError("an unread count cannot be negative")
        self._set(count)

    def mark_all_read(self) -> None:
        self._set(0)
