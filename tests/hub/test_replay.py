"""Replay without sockets: replay/live races driven deterministically with a gated store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.delivery import Delivery
from hub.protocol import Notification
from hub.store import SqliteStore, User
from tests.support.delivery import Recorder, bob_session, recorded, send


class GatedStore(SqliteStore):
    """Replays wait at a gate the test opens, to hold a session in the middle of its catch-up."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate: asyncio.Event | None = None
        self.waiting = asyncio.Event()

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        page = await super().replay(user_id, after_id, limit)
        if self.gate is not None:
            self.waiting.set()
            await self.gate.wait()
        return page


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Delivery, GatedStore, Recorder, User, User]]:
    async with recorded(GatedStore(tmp_path / "hub.sqlite3")) as running:
        yield running


async def test_live_notifications_during_replay_arrive_after_it_in_order(parts: Any) -> None:
    service, store, transport, alice, bob = parts
    early = [await send(service, alice, f"early{i}") for i in range(3)]
    store.gate = asyncio.Event()
    session = bob_session(bob, "s1", acking=True, resume_from=0)

    activating = asyncio.ensure_future(service.activate(session))
    await store.waiting.wait()  # the replay has read the store and is held
    late = [await send(service, alice, f"late{i}") for i in range(3)]  # stored and parked in pending
    store.gate.set()
    await activating
    after = await send(service, alice, "after")

    assert transport.ids("s1") == [*early, *late, after]


async def test_a_session_that_leaves_mid_replay_moves_no_cursor(parts: Any) -> None:
    service, store, transport, alice, bob = parts
    store.gate = asyncio.Event()
    first = bob_session(bob, "s1")  # never acks: its cursor moves as it is sent things

    activating = asyncio.ensure_future(service.activate(first))
    await store.waiting.wait()
    await service.disconnected(first)
    missed = await send(service, alice, "while you were away")
    store.gate.set()
    await activating
    store.gate = None

    second = bob_session(bob, "s2")
    await service.activate(second)
    assert transport.ids("s2") == [missed]


async def test_a_session_that_leaves_before_activation_never_shows_online(parts: Any) -> None:
    service, _, transport, _, bob = parts
    ghost = bob_session(bob, "s1")
    await service.disconnected(ghost)

    await service.activate(ghost)

    assert service.presence.online_names() == []
    assert "s1" not in transport.sent
