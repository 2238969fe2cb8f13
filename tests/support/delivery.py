"""The hub's service without sockets: a started `HubService` on a real store, and a transport that records
what each connection was sent."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from hub.config import HubConfig
from hub.service import HubService
from hub.store import SqliteStore


class Recorder:
    """A Transport that records what each sid was sent."""

    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[str, Any]]] = {}
        self.disconnected: list[str] = []

    async def emit(self, sid: str, event: str, data: Any) -> None:
        self.sent.setdefault(sid, []).append((event, data))

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        for sid in sids:
            await self.emit(sid, event, data)

    async def disconnect(self, sid: str) -> None:
        self.disconnected.append(sid)

    async def drain(self, sid: str) -> None:
        pass

    def ids(self, sid: str) -> list[int]:
        return [d["id"] for e, d in self.sent.get(sid, []) if e == "notification"]


@contextlib.asynccontextmanager
async def running(
    store: SqliteStore, transport: Recorder, config: HubConfig, clock: Callable[[], float] = time.monotonic
) -> AsyncIterator[HubService]:
    """A started service on `store` (opened here); stopped, and the store closed, after."""
    await store.open()
    service = HubService(config, store, transport, clock)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
        await store.close()
