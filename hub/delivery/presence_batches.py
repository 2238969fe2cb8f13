"""Batched presence: one `presence {online, offline}` event per interval for the clients that ask for it.

The seed's `user_online` / `user_offline` cost every other client one event per change: a wave of N
connects (a hub restarted under N devices) is N²/2 events. A client that connects with
`auth: {..., "presence": "batched"}` is told instead, at most once per `presence_interval_seconds`,
who came and who went since the last time, in one event encoded once and written to every such
client. Its first `presence` event after the welcome carries everyone online (`full: true`) in place
of the welcome's `online` list. The cost of a wave is then O(N) frames per interval, not O(N²).
"""

from __future__ import annotations

import asyncio
from typing import Any

from hub.delivery.ports import Outbox
from hub.delivery.presence import Presence
from hub.delivery.sessions import Session
from hub.protocol import Event


class PresenceBatches:
    """Changes of who is online, coalesced per user (the last one wins) until the next flush."""

    def __init__(self, presence: Presence, outbox: Outbox, interval: float) -> None:
        self._presence = presence
        self._outbox = outbox
        self.interval = interval
        #: User name -> online, since the last flush.
        self._changes: dict[str, bool] = {}
        #: Batched sessions that have not had the whole list yet.
        self._fresh: dict[str, Session] = {}
        self._due = asyncio.Event()

    def changed(self, name: str, *, online: bool) -> None:
        if self._presence.batched:
            self._changes[name] = online
            self._due.set()

    def arrived(self, session: Session) -> None:
        """A batched session was welcomed: it gets everyone online at the next flush."""
        self._fresh[session.sid] = session
        self._due.set()

    async def run(self) -> None:
        """Flush at most once per interval, and only when something happened (an idle hub never wakes)."""
        while True:
            await self._due.wait()
            await asyncio.sleep(self.interval)
            self._due.clear()
            await self.flush()

    async def flush(self) -> None:
        changes, self._changes = self._changes, {}
        fresh, self._fresh = self._fresh, {}
        batched = self._presence.batched
        if changes:
            sids = [sid for sid in batched if sid not in fresh]
            if sids:
                await self._outbox.emit_many(sids, Event.PRESENCE, _body(changes))
        sids = [sid for sid, session in fresh.items() if not session.closed and sid in batched]
        if sids:
            full = {"online": self._presence.online_names(), "offline": [], "full": True}
            await self._outbox.emit_many(sids, Event.PRESENCE, full)


def _body(changes: dict[str, bool]) -> dict[str, Any]:
    return {
        "online": sorted(name for name, online in changes.items() if online),
        "offline": sorted(name for name, online in changes.items() if not online),
        "full": False,
    }
