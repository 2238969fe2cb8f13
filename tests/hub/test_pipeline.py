"""The pipeline without sockets: a bad draft fails alone, and storing overlaps handing out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery
from hub.errors import HubError
from hub.protocol import Kind, NotificationType, SendNotification
from hub.store import SqliteStore, User
from tests.support.delivery import Recorder, alice_and_bob, bob_session, recorded, send
from tests.support.waiting import Changes


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Delivery, SqliteStore, Recorder, User, User]]:
    async with recorded(SqliteStore(tmp_path / "hub.sqlite3")) as running:
        yield running


async def test_a_recipient_deleted_mid_flight_fails_alone_and_the_hub_goes_on(parts: Any) -> None:
    service, store, transport, alice, bob = parts
    await service.activate(bob_session(bob, "s1", acking=True, resume_from=0))
    carol = await store.create_user("carol", None, admin=False)
    await store.remove_user("carol")  # `notify-hub user remove carol` ran after the send was checked

    doomed = service.pipeline.enqueue(
        service.sender.new(Actor(alice), Kind.DIRECT, NotificationType.INFO, "", "to carol", to_user_id=carol.id)
    )
    fine = service.pipeline.enqueue(
        service.sender.new(Actor(alice), Kind.DIRECT, NotificationType.INFO, "", "to bob", to_user_id=bob.id)
    )

    with pytest.raises(HubError):
        await doomed
    assert (await fine).recipients == (bob.id,)
    later = await send(service, alice, "still working")
    assert transport.ids("s1") == [(await fine).notification.id, later]


class Jammed(Recorder):
    """Handing notifications out waits at a gate the test opens (a slow socket write)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.held = asyncio.Event()

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        self.held.set()
        await self.gate.wait()
        await super().emit_many(sids, event, data)


class CountedStore(SqliteStore):
    """Tells the test each time a batch is committed."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.committed: list[int] = []
        self.changes = Changes()

    async def add(self, drafts: Any) -> Any:
        stored = await super().add(drafts)
        self.committed += [s.notification.id for s in stored]
        self.changes.poke()
        return stored


@pytest.fixture
async def jammed(tmp_path: Path) -> AsyncIterator[tuple[Delivery, CountedStore, Jammed, User]]:
    """A service whose hand-out is held at `Jammed.gate`; bob is connected; alice sends."""
    store, transport = CountedStore(tmp_path / "hub.sqlite3"), Jammed()
    async with alice_and_bob(store, transport, HubConfig(data_dir=tmp_path)) as (service, alice, bob):
        await service.activate(bob_session(bob, "s1", acking=True, resume_from=0))
        yield service, store, transport, alice
        transport.gate.set()


async def test_the_next_batch_is_stored_while_the_one_before_is_still_being_handed_out(jammed: Any) -> None:
    service, store, transport, alice = jammed
    first = await service.sender.accept_direct(Actor(alice), SendNotification(to="bob", message="first"))
    await asyncio.wait_for(transport.held.wait(), 5)  # stored, and stuck handing it out
    second = await service.sender.accept_direct(Actor(alice), SendNotification(to="bob", message="second"))
    await store.changes.until(lambda: len(store.committed) >= 2, 5)

    assert not first.done() and not second.done()  # an ok still means "stored and handed out"
    assert transport.ids("s1") == []
    transport.gate.set()
    ids = [(await asyncio.wait_for(f, 5)).notification.id for f in (first, second)]
    assert ids == store.committed
    assert transport.ids("s1") == ids  # in id order


async def test_stopping_hands_out_everything_that_was_stored(jammed: Any) -> None:
    service, _store, transport, alice = jammed
    futures = [
        await service.sender.accept_direct(Actor(alice), SendNotification(to="bob", message=f"m{i}")) for i in range(5)
    ]
    await asyncio.wait_for(transport.held.wait(), 5)  # stored, and stuck handing the first out

    stopping = asyncio.ensure_future(service.stop())
    done, _ = await asyncio.wait({stopping}, timeout=0.2)
    assert not done and not any(f.done() for f in futures)  # stop waits for the hand-out
    transport.gate.set()
    await asyncio.wait_for(stopping, 5)

    ids = [f.result().notification.id for f in futures]
    assert transport.ids("s1") == ids
