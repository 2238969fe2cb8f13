"""Room messages and the store: a sender's messages do not each wait for a lookup (`hub/rooms.py`),
and what is refused or allowed stays right when rooms change here or elsewhere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery, Session
from hub.delivery.rooms import ROOM_CACHE_SECONDS, RoomCache
from hub.errors import Forbidden, NotFound
from hub.protocol import RoomMessage, RoomRef
from hub.store import Room, SqliteStore, User
from tests.support.delivery import Recorder, running, send_and_ack
from tests.support.waiting import FakeClock


class CountingStore(SqliteStore):
    """Counts room lookups; `gate` holds them (a store busy with commits) while the test keeps it closed."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.lookups = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def get_room(self, name: str) -> Room | None:
        self.lookups += 1
        await self.gate.wait()
        return await super().get_room(name)


Parts = tuple[Delivery, CountingStore, FakeClock, User, User]


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[Parts]:
    store, clock = CountingStore(tmp_path / "hub.sqlite3"), FakeClock()
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), clock) as service:
        alice = await store.create_user("alice", None, admin=False)
        bob = await store.create_user("bob", None, admin=False)
        yield service, store, clock, alice, bob


async def say(service: Delivery, sender: User, room: str, text: str = "hi") -> dict[str, Any]:
    return await send_and_ack(service, Actor(sender), RoomMessage(room=room, message=text))


def session(user: User) -> Session:
    return Session(user=user, sid=f"sid-{user.name}", device="token:1", token_id=1)


async def test_a_senders_room_messages_look_the_room_up_once(parts: Parts) -> None:
    service, store, _, alice, bob = parts
    await store.create_room("ops", restricted=True, members=[alice.id, bob.id])
    assert (await say(service, alice, "ops", "first"))["ok"]
    store.lookups = 0
    store.gate.clear()  # a lookup would wait here, behind the store's commits

    answers = await asyncio.wait_for(asyncio.gather(*(say(service, alice, "ops", f"m{i}") for i in range(20))), 5)

    assert all(a["ok"] for a in answers) and store.lookups == 0


async def test_a_known_room_is_looked_up_again_once_stale(parts: Parts) -> None:
    service, store, clock, alice, _ = parts
    await store.create_room("ops", restricted=False, members=[])
    await say(service, alice, "ops")
    clock.now += ROOM_CACHE_SECONDS
    store.lookups = 0

    await say(service, alice, "ops")
    await say(service, alice, "ops")

    assert store.lookups == 1


async def test_a_room_removed_by_the_admin_is_refused_once_its_entry_is_stale(parts: Parts) -> None:
    service, store, clock, alice, _ = parts
    await store.create_room("ops", restricted=False, members=[])
    await say(service, alice, "ops")
    await store.remove_room("ops")  # the admin CLI writes to the store; this hub is not told

    clock.now += ROOM_CACHE_SECONDS

    with pytest.raises(NotFound, match="there is no room named 'ops'"):
        await say(service, alice, "ops")


async def test_leaving_a_restricted_room_here_stops_ones_sends_at_once(parts: Parts) -> None:
    service, store, _, alice, bob = parts
    await store.create_room("ops", restricted=True, members=[alice.id, bob.id])
    await say(service, alice, "ops")

    await service.rooms.leave(session(alice), RoomRef(room="ops"))

    with pytest.raises(Forbidden, match="room 'ops' is restricted to its members"):
        await say(service, alice, "ops")
    assert (await say(service, bob, "ops"))["ok"]


async def test_a_room_made_or_joined_elsewhere_can_be_sent_to_at_once(parts: Parts) -> None:
    """What the hub would refuse is checked with the store first: another hub of a cluster, or the
    admin CLI, may have changed it."""
    service, store, _, alice, bob = parts
    with pytest.raises(NotFound):
        await say(service, alice, "ops")
    await store.create_room("ops", restricted=True, members=[bob.id])
    await store.join_room("ops", alice.id)  # as another hub does for a session of alice's there

    assert (await say(service, alice, "ops"))["ok"]
    assert (await say(service, bob, "ops"))["ok"]


async def test_a_restricted_room_left_elsewhere_refuses_once_its_entry_is_stale(parts: Parts) -> None:
    service, store, clock, alice, _ = parts
    await store.create_room("ops", restricted=True, members=[alice.id])
    await say(service, alice, "ops")
    await store.leave_room("ops", alice.id)  # as another hub does for a session of alice's there

    clock.now += ROOM_CACHE_SECONDS

    with pytest.raises(Forbidden, match="room 'ops' is restricted to its members"):
        await say(service, alice, "ops")


async def test_rooms_no_longer_sent_to_are_let_go() -> None:
    """Any user can make rooms by joining them: the memory of rooms sent to stays bounded."""
    clock = FakeClock()

    async def look_up(name: str) -> Room | None:
        return Room(name=name, restricted=False)

    rooms = RoomCache(look_up, clock)
    for i in range(200):
        await rooms.sendable(f"old{i}", "alice")
    clock.now += ROOM_CACHE_SECONDS
    for i in range(100):
        await rooms.sendable(f"new{i}", "alice")

    assert len(rooms._known) < 200
    assert {name for name in rooms._known if name.startswith("old")} == set()
