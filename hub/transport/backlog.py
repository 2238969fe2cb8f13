"""Unsent bytes across all connections, capped (`max_send_buffer_total`).

Each connection may hold `max_send_buffer` unsent before the hub closes it; without a cap on the
sum, 30 connections that never read (one user's, each asking for `list_rooms`) took the hub from
65 to 249 MB. Here every connection's unsent bytes are known as of its last write; past the cap
the figures are read again (clients read meanwhile), and while the sum is still over it the
connection with the most unsent is closed, as a slow reader (it recovers on reconnect).

Only connections with something unsent are kept, so a hub whose clients read costs nothing here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class Sending(Protocol):
    def unsent(self) -> int: ...

    def abandon(self, why: str) -> None: ...


class Backlog:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        #: The sum of `_unsent`, as of each connection's last write (reads since make it smaller).
        self.total = 0
        self._unsent: dict[Sending, int] = {}
        #: Connections closed to bring the sum under the cap.
        self.trimmed = 0
        self._trimming = False

    def note(self, connection: Sending, unsent: int) -> None:
        """`connection` has `unsent` bytes waiting, as of now."""
        before = self._unsent.get(connection, 0)
        if unsent:
            self._unsent[connection] = unsent
        elif before:
            del self._unsent[connection]
        self.total += unsent - before
        if self.total > self.cap and not self._trimming:
            self._trimming = True  # reading a figure again may write, and note, another connection's frames
            try:
                self._trim()
            finally:
                self._trimming = False

    def forget(self, connection: Sending) -> None:
        self.total -= self._unsent.pop(connection, 0)

    def __len__(self) -> int:
        return len(self._unsent)

    def __contains__(self, connection: object) -> bool:
        return connection in self._unsent

    def _trim(self) -> None:
        self._recount(lambda c: c.unsent())
        while self.total > self.cap and self._unsent:
            biggest = max(self._unsent, key=self._unsent.__getitem__)
            held = self._unsent[biggest]
            self.forget(biggest)
            self.trimmed += 1
            biggest.abandon(f"{held} bytes unsent, the most while all connections together held over {self.cap}")

    def _recount(self, measure: Callable[[Sending], int]) -> None:
        for connection in list(self._unsent):
            # Measuring writes out what the connection was sent since its last figure, which may
            # take it past its own cap: then it has closed itself and left the backlog already.
            unsent = measure(connection)
            if unsent and connection in self._unsent:
                self._unsent[connection] = unsent
            else:
                self._unsent.pop(connection, None)
        self.total = sum(self._unsent.values())
