"""The service without sockets: replay/live races driven deterministically with a gated store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery.sessions import Actor, Session
from hub.errors import HubError, NotFound, Unavailable
from hub.protocol import Kind, Notification, NotificationType, SendNotification
from hub.service import USER_CACHE_SECONDS, HubService
from hub.store import SqliteStore, User
from tests.support.delivery import Recorder, running
from tests.support.waiting import Changes, FakeClock


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
async def parts(tmp_path: Path) -> AsyncIterator[tuple[HubService, GatedStore, Recorder, User, User]]:
    store, transport = GatedStore(tmp_path / "hub.sqlite3"), Recorder()
    async with running(store, transport, HubConfig(data_dir=tmp_path)) as service:
        alice = await store.create_user("alice", None, admin=False)
        bob = await store.create_user("bob", None, admin=False)
        yield service, store, transport, alice, bob


def bob_session(bob: User, sid: str, **kw: Any) -> Session:
    return Session(user=bob, sid=sid, device="token:1", token_id=1, **kw)


async def send(service: HubService, sender: User, text: str) -> int:
    answer = await service.send_direct(Actor(sender), SendNotification(to="bob", message=text))
    return int(answer["id"])


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


@pytest.fixture
async def clocked(tmp_path: Path) -> AsyncIterator[tuple[HubService, Recorder, FakeClock, User, User]]:
    store, transport, clock = SqliteStore(tmp_path / "hub.sqlite3"), Recorder(), FakeClock()
    config = HubConfig(data_dir=tmp_path, ping_interval=25, ping_timeout=20)
    async with running(store, transport, config, clock) as service:
        alice = await store.create_user("alice", None, admin=False)
        bob = await store.create_user("bob", None, admin=False)
        yield service, transport, clock, alice, bob


async def test_a_dropped_connection_gets_back_what_was_sent_within_the_unnoticed_window(clocked: Any) -> None:
    service, transport, clock, alice, bob = clocked
    first = bob_session(bob, "s1")  # a client that never acks
    await service.activate(first)
    old = await send(service, alice, "long ago")
    clock.now += service.unnoticed_window + 10  # it would have noticed a dead link by now
    recent = await send(service, alice, "just before the drop")
    clock.now += 5
    await service.disconnected(first, clean=False)  # e.g. the laptop lid closed, then a timeout

    second = bob_session(bob, "s2")
    await service.activate(second)

    assert transport.ids("s1") == [old, recent]
    assert transport.ids("s2") == [recent], "replayed: it may never have been read; the old one is not"


async def test_a_client_that_says_goodbye_is_not_sent_things_again(clocked: Any) -> None:
    service, transport, _, alice, bob = clocked
    first = bob_session(bob, "s1")
    await service.activate(first)
    await send(service, alice, "read it")
    await service.disconnected(first, clean=True)

    second = bob_session(bob, "s2")
    await service.activate(second)

    assert transport.ids("s2") == []


async def test_cursors_of_live_non_acking_clients_trail_by_the_window(clocked: Any) -> None:
    service, _, clock, alice, bob = clocked
    session = bob_session(bob, "s1")
    await service.activate(session)
    first = await send(service, alice, "one")
    clock.now += 10
    await send(service, alice, "two")

    clock.now += service.unnoticed_window - 5  # "one" is 5 s past the window, "two" 5 s short of it
    await service.flush_cursors()

    assert await service.store.cursor("token:1", bob.id) == first


async def test_a_recipient_deleted_mid_flight_fails_alone_and_the_hub_goes_on(parts: Any) -> None:
    service, store, transport, alice, bob = parts
    await service.activate(bob_session(bob, "s1", acking=True, resume_from=0))
    carol = await store.create_user("carol", None, admin=False)
    await store.remove_user("carol")  # `notify-hub user remove carol` ran after the send was checked

    doomed = service._enqueue(
        service._draft(Actor(alice), Kind.DIRECT, NotificationType.INFO, "", "to carol", to_user_id=carol.id)
    )
    fine = service._enqueue(
        service._draft(Actor(alice), Kind.DIRECT, NotificationType.INFO, "", "to bob", to_user_id=bob.id)
    )

    with pytest.raises(HubError):
        await doomed
    assert (await fine).recipients == (bob.id,)
    later = await send(service, alice, "still working")
    assert transport.ids("s1") == [(await fine).notification.id, later]


class Lookups(SqliteStore):
    """Counts the user lookups (one name or many) and holds them at a gate the test can close (a
    store busy with commits); `asked` is set when one starts."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.in_flight = 0
        self.queries = 0
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
        self.asked.set()
        try:
            await self.gate.wait()
            if self.down:
                raise Unavailable("the store is down")
            return await super().get_users(names)
        finally:
            self.in_flight -= 1


async def stale_lookups_done(service: HubService) -> None:
    if service._stale_job is not None:
        await asyncio.wait_for(service._stale_job, 5)


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

        answer = await asyncio.wait_for(service.send_direct(Actor(alice), SendNotification(to="bob", message="hi")), 5)

        assert answer["ok"] and store.queries == 0
        await store.create_user("carol", None, admin=False)  # someone new is looked up
        store.gate.set()
        assert (await service.send_direct(Actor(alice), SendNotification(to="carol", message="hi")))["ok"]
        assert store.queries == 1


async def test_recipients_that_go_stale_together_are_looked_up_again_in_one_query(tmp_path: Path) -> None:
    """Lookups queued all at once would hold the store's commits behind them (the direct bench's
    stalls every USER_CACHE_SECONDS): every stale name is looked up at once, in the background."""
    store, clock = Lookups(tmp_path / "hub.sqlite3"), FakeClock()
    async with running(store, Recorder(), HubConfig(data_dir=tmp_path), clock) as service:
        alice = await store.create_user("alice", None, admin=False)
        names = [f"user{i}" for i in range(20)]
        for name in names:
            await store.create_user(name, None, admin=False)
            await service.send_direct(Actor(alice), SendNotification(to=name, message="first"))
        await store.remove_user("user7")

        clock.now += USER_CACHE_SECONDS
        store.gate.clear()
        store.asked.clear()
        store.queries = 0
        # All stale now: each is used as it is. The first send starts the lookup, of every name.
        accepted = [await service.accept_direct(Actor(alice), SendNotification(to=names[0], message="second"))]
        await asyncio.wait_for(store.asked.wait(), 5)
        for name in names[1:]:
            accepted.append(await service.accept_direct(Actor(alice), SendNotification(to=name, message="second")))
        # Stored (user7's fails: removed meanwhile, "could not be stored" until the lookup is in)
        # while the one lookup waits.
        results = await asyncio.wait_for(asyncio.gather(*accepted, return_exceptions=True), 5)
        assert [isinstance(r, HubError) for r in results] == [name == "user7" for name in names]
        assert (store.in_flight, store.queries) == (1, 1)

        store.gate.set()
        await stale_lookups_done(service)
        assert store.queries == 1, "every stale name in one lookup, not the first name and then the rest"
        with pytest.raises(NotFound, match="no user named 'user7'"):
            await service.send_direct(Actor(alice), SendNotification(to="user7", message="third"))
        assert (await service.send_direct(Actor(alice), SendNotification(to="user8", message="third")))["ok"]


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
async def jammed(tmp_path: Path) -> AsyncIterator[tuple[HubService, CountedStore, Jammed, User]]:
    """A service whose hand-out is held at `Jammed.gate`; bob is connected; alice sends."""
    store, transport = CountedStore(tmp_path / "hub.sqlite3"), Jammed()
    async with running(store, transport, HubConfig(data_dir=tmp_path)) as service:
        alice = await store.create_user("alice", None, admin=False)
        bob = await store.create_user("bob", None, admin=False)
        await service.activate(bob_session(bob, "s1", acking=True, resume_from=0))
        yield service, store, transport, alice
        transport.gate.set()


async def test_the_next_batch_is_stored_while_the_one_before_is_still_being_handed_out(jammed: Any) -> None:
    service, store, transport, alice = jammed
    first = await service.accept_direct(Actor(alice), SendNotification(to="bob", message="first"))
    await asyncio.wait_for(transport.held.wait(), 5)  # stored, and stuck handing it out
    second = await service.accept_direct(Actor(alice), SendNotification(to="bob", message="second"))
    await store.changes.until(lambda: len(store.committed) >= 2, 5)

    assert not first.done() and not second.done()  # an ok still means "stored and handed out"
    assert transport.ids("s1") == []
    transport.gate.set()
    ids = [(await asyncio.wait_for(f, 5)).notification.id for f in (first, second)]
    assert ids == store.committed
    assert transport.ids("s1") == ids  # in id order


async def test_stopping_hands_out_everything_that_was_stored(jammed: Any) -> None:
    service, _store, transport, alice = jammed
    futures = [await service.accept_direct(Actor(alice), SendNotification(to="bob", message=f"m{i}")) for i in range(5)]
    await asyncio.wait_for(transport.held.wait(), 5)  # stored, and stuck handing the first out

    stopping = asyncio.ensure_future(service.stop())
    done, _ = await asyncio.wait({stopping}, timeout=0.2)
    assert not done and not any(f.done() for f in futures)  # stop waits for the hand-out
    transport.gate.set()
    await asyncio.wait_for(stopping, 5)

    ids = [f.result().notification.id for f in futures]
    assert transport.ids("s1") == ids
