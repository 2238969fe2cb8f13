"""Recipients by name without sockets: looked up again in the background, once per stale batch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery, users
from hub.delivery.users import USER_CACHE_SECONDS
from hub.errors import HubError, NotFound, Unavailable
from hub.protocol import SendNotification
from hub.store import SqliteStore, User
from tests.support.delivery import Recorder, running, send, send_and_ack
from tests.support.waiting import FakeClock


class Lookups(SqliteStore):
    """Counts the user lookups (one name or many) and holds them at a gate the test can close (a
    store busy with commits); `asked` is set when one starts."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.in_flight = 0
        self.queries = 0
        #: How many names each lookup asked for.
        self.sizes: list[int] = []
        self.asked = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()
        #: Lookups fail as a store that is down does.
        self.down = False

    async def get_user(self, name: str) -> User | None:
        found = await self.get_users([name])
        return found[0] if found else None

    async def get_users(self, names: Sequence[str]) -> list[User]:
        self.in_flight += 1
        self.queries += 1
        self.sizes.append(len(names))
        self.asked.set()
        try:
            await self.gate.wait()
            if self.down:
                raise Unavailable("the store is down")
            return await super().get_users(names)
        finally:
            self.in_flight -= 1


async def twenty_known(store: Lookups, service: Delivery) -> tuple[User, list[str]]:
    """alice, and user0..user19, each sent something by her (so each is in the hub's cache)."""
    alice = await store.create_user("alice", None, admin=False)
    names = [f"user{i}" for i in range(20)]
    for name in names:
        await store.create_user(name, None, admin=False)
        await send_and_ack(service, Actor(alice), SendNotification(to=name, message="first"))
    return alice, names


async def stale_lookups_done(service: Delivery) -> None:
    await asyncio.wait_for(service.users.refreshed(), 5)


async def test_a_recipient_known_for_a_while_is_looked_up_again_without_holding_the_send(tmp_path: Path) -> None:
    store, clock = Lookups(tmp_path / "hub.sqlite3"), FakeClock()
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), clock) as service:
        alice = await store.create_user("alice", None, admin=False)
        await store.create_user("bob", None, admin=False)
        first = await send(service, alice, "first")  # bob is looked up once

        clock.now += USER_CACHE_SECONDS
        store.gate.clear()
        store.asked.clear()
        second = await asyncio.wait_for(send(service, alice, "second"), 5)  # stored while the lookup waits
        await asyncio.wait_for(store.asked.wait(), 5)
        assert second > first

        await store.remove_user("bob")
        store.gate.set()
        await stale_lookups_done(service)
        with pytest.raises(NotFound, match="no user named 'bob'"):
            await send(service, alice, "third")


async def test_a_store_that_is_down_is_not_asked_again_by_every_send(tmp_path: Path) -> None:
    store, clock = Lookups(tmp_path / "hub.sqlite3"), FakeClock()
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), clock) as service:
        alice = await store.create_user("alice", None, admin=False)
        await store.create_user("bob", None, admin=False)
        await send(service, alice, "first")  # bob is looked up once

        clock.now += USER_CACHE_SECONDS
        store.down = True
        store.queries = 0
        for text in ("second", "third"):
            await send(service, alice, text)  # bob as known: the sends go through
            await stale_lookups_done(service)
        assert store.queries == 1

        clock.now += USER_CACHE_SECONDS
        store.down = False
        await send(service, alice, "fourth")
        await stale_lookups_done(service)
        assert store.queries == 2


async def test_users_there_at_start_are_sent_to_without_a_lookup(tmp_path: Path) -> None:
    """A first send to someone does not wait for the store (a lookup waits behind its commits)."""
    store = Lookups(tmp_path / "hub.sqlite3")
    await store.open()
    alice = await store.create_user("alice", None, admin=False)
    await store.create_user("bob", None, admin=False)
    await store.close()
    store = Lookups(tmp_path / "hub.sqlite3")
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), FakeClock()) as service:
        store.gate.clear()  # a lookup would wait here

        answer = await asyncio.wait_for(
            send_and_ack(service, Actor(alice), SendNotification(to="bob", message="hi")), 5
        )

        assert answer["ok"] and store.queries == 0
        await store.create_user("carol", None, admin=False)  # someone new is looked up
        store.gate.set()
        assert (await send_and_ack(service, Actor(alice), SendNotification(to="carol", message="hi")))["ok"]
        assert store.queries == 1


async def test_recipients_that_go_stale_together_are_looked_up_again_in_one_query(tmp_path: Path) -> None:
    """Lookups queued all at once would hold the store's commits behind them (the direct bench's
    stalls every USER_CACHE_SECONDS): every stale name is looked up at once, in the background."""
    store, clock = Lookups(tmp_path / "hub.sqlite3"), FakeClock()
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), clock) as service:
        alice, names = await twenty_known(store, service)
        await store.remove_user("user7")

        clock.now += USER_CACHE_SECONDS
        store.gate.clear()
        store.asked.clear()
        store.queries = 0
        # All stale now: each is used as it is. The first send starts the lookup, of every name.
        accepted = [await service.sender.accept_direct(Actor(alice), SendNotification(to=names[0], message="second"))]
        await asyncio.wait_for(store.asked.wait(), 5)
        for name in names[1:]:
            accepted.append(
                await service.sender.accept_direct(Actor(alice), SendNotification(to=name, message="second"))
            )
        # Stored (user7's fails: removed meanwhile, "could not be stored" until the lookup is in)
        # while the one lookup waits.
        results = await asyncio.wait_for(asyncio.gather(*accepted, return_exceptions=True), 5)
        assert [isinstance(r, HubError) for r in results] == [name == "user7" for name in names]
        assert (store.in_flight, store.queries) == (1, 1)

        store.gate.set()
        await stale_lookups_done(service)
        assert store.queries == 1, "every stale name in one lookup, not the first name and then the rest"
        with pytest.raises(NotFound, match="no user named 'user7'"):
            await send_and_ack(service, Actor(alice), SendNotification(to="user7", message="third"))
        assert (await send_and_ack(service, Actor(alice), SendNotification(to="user8", message="third")))["ok"]


@pytest.fixture
async def eight_a_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Delivery, Lookups, FakeClock, User]]:
    """A hub that looks stale names up 8 to a store call, knowing alice and user0..user19."""
    monkeypatch.setattr(users, "REFRESH_NAMES", 8)
    store, clock = Lookups(tmp_path / "hub.sqlite3"), FakeClock()
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), clock) as service:
        alice, _ = await twenty_known(store, service)
        yield service, store, clock, alice


async def test_many_stale_recipients_are_looked_up_a_bounded_number_at_a_time(eight_a_lookup: Any) -> None:
    """The store's thread answers one call at a time and every commit waits behind the call before
    it: thousands of names in one lookup held the senders' commits for tens of milliseconds."""
    service, store, clock, alice = eight_a_lookup
    await store.remove_user("user17")

    clock.now += USER_CACHE_SECONDS
    store.sizes.clear()
    await send_and_ack(service, Actor(alice), SendNotification(to="user0", message="second"))
    await stale_lookups_done(service)

    assert store.sizes == [8, 8, 4], "20 stale names, 8 to a lookup"
    with pytest.raises(NotFound, match="no user named 'user17'"):
        await send_and_ack(service, Actor(alice), SendNotification(to="user17", message="third"))


async def test_a_store_that_is_down_is_asked_once_however_many_names_are_stale(eight_a_lookup: Any) -> None:
    service, store, clock, alice = eight_a_lookup
    clock.now += USER_CACHE_SECONDS
    store.down = True
    store.queries = 0
    await send_and_ack(service, Actor(alice), SendNotification(to="user0", message="second"))
    await stale_lookups_done(service)
    assert store.queries == 1, "the rest of the names are not asked for from a store that is down"

    store.down = False
    assert (await send_and_ack(service, Actor(alice), SendNotification(to="user19", message="third")))["ok"]
    assert store.queries == 1, "user19 kept as known until USER_CACHE_SECONDS from the failed lookup"
