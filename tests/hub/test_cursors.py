"""Delivery cursors without sockets: what a client that never acks is taken to have received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery
from hub.delivery.cursors import FLUSH_ROWS
from hub.delivery.sessions import HandOuts, Session
from hub.errors import Unavailable
from hub.protocol import Broadcast
from hub.store import SqliteStore, User
from tests.support.delivery import Recorder, alice_and_bob, bob_session, recorded, running, send
from tests.support.waiting import FakeClock


@pytest.fixture
async def clocked(tmp_path: Path) -> AsyncIterator[tuple[Delivery, Recorder, FakeClock, User, User]]:
    store, transport, clock = SqliteStore(tmp_path / "hub.sqlite3"), Recorder(), FakeClock()
    config = HubConfig(data_dir=tmp_path, ping_interval=25, ping_timeout=20)
    async with alice_and_bob(store, transport, config, clock) as (service, alice, bob):
        yield service, transport, clock, alice, bob


async def test_a_dropped_connection_gets_back_what_was_sent_within_the_unnoticed_window(clocked: Any) -> None:
    service, transport, clock, alice, bob = clocked
    first = bob_session(bob, "s1")  # a client that never acks
    await service.activate(first)
    old = await send(service, alice, "long ago")
    clock.now += service.cursors.unnoticed_window + 10  # it would have noticed a dead link by now
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

    clock.now += service.cursors.unnoticed_window - 5  # "one" is 5 s past the window, "two" 5 s short of it
    await service.cursors.flush()

    assert await service.store.cursor("token:1", bob.id) == first


async def test_a_client_whose_cursor_caught_up_is_skipped_by_the_walk_until_it_is_sent_more(clocked: Any) -> None:
    service, _, clock, alice, bob = clocked
    session = bob_session(bob, "s1")  # a client that never acks
    await service.activate(session)
    sent = await send(service, alice, "one")
    clock.now += service.cursors.unnoticed_window + 1
    await service.cursors.flush()

    assert await service.store.cursor("token:1", bob.id) == sent
    assert session.confirmed == session.last_sent, "nothing is left to confirm: the cursors' walk skips this session"


async def test_what_is_sent_after_the_cursor_caught_up_is_replayed_after_a_drop(clocked: Any) -> None:
    service, transport, clock, alice, bob = clocked
    first = bob_session(bob, "s1")
    await service.activate(first)
    old = await send(service, alice, "long ago")
    clock.now += service.cursors.unnoticed_window + 10
    await service.cursors.flush()  # the cursor moves to "long ago"
    recent = await send(service, alice, "just before the drop")
    clock.now += 5
    await service.disconnected(first, clean=False)

    second = bob_session(bob, "s2")
    await service.activate(second)

    assert transport.ids("s1") == [old, recent]
    assert transport.ids("s2") == [recent]


class CursorWrites(SqliteStore):
    """Records how many cursors each `save_cursors` call saves; `fail_call` (counted from 1) fails
    as a store that is down does."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.sizes: list[int] = []
        self.fail_call = 0

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        self.sizes.append(len(cursors))
        if len(self.sizes) == self.fail_call:
            raise Unavailable("the store is down")
        await super().save_cursors(cursors)


def acked_devices(service: Delivery, bob: User, count: int) -> list[str]:
    """`count` of bob's devices that acked up to their number (1, 2, ...): their cursors moved."""
    devices = [f"token:{i}" for i in range(1, count + 1)]
    for i, device in enumerate(devices, 1):
        service.cursors.ack(Session(user=bob, sid=f"s{i}", device=device, last_sent=i), i)
    return devices


async def test_thousands_of_moved_cursors_are_saved_a_bounded_number_to_a_transaction(tmp_path: Path) -> None:
    """The store's thread does one call at a time and every sender's commit waits behind it: 5,000
    acking devices under load move 5,000 cursors a second."""
    async with recorded(CursorWrites(tmp_path / "hub.sqlite3")) as (service, store, _, _, bob):
        devices = acked_devices(service, bob, 2 * FLUSH_ROWS + 100)

        await service.cursors.flush()

        assert store.sizes == [FLUSH_ROWS, FLUSH_ROWS, 100]
        assert [await store.cursor(d, bob.id) for d in devices] == list(range(1, len(devices) + 1))


async def test_cursors_not_saved_when_the_store_failed_are_saved_at_the_next_flush(tmp_path: Path) -> None:
    async with recorded(CursorWrites(tmp_path / "hub.sqlite3")) as (service, store, _, _, bob):
        devices = acked_devices(service, bob, 2 * FLUSH_ROWS + 100)
        store.fail_call = 2

        with pytest.raises(Unavailable):
            await service.cursors.flush()
        await service.cursors.flush()

        assert [await store.cursor(d, bob.id) for d in devices] == list(range(1, len(devices) + 1))


async def test_a_device_back_on_a_restarted_hub_and_sent_nothing_writes_no_cursor(tmp_path: Path) -> None:
    """Its cursor is where its replay started: after a restart of 5,000 such devices, the cursors'
    walk has nothing to save for any of them."""
    path, clock = tmp_path / "hub.sqlite3", FakeClock()
    config = HubConfig(data_dir=tmp_path, ping_interval=25, ping_timeout=20)
    async with alice_and_bob(CursorWrites(path), Recorder(), config, clock) as (service, alice, bob):
        first = bob_session(bob, "s1")
        await service.activate(first)
        sent = await send(service, alice, "read before the restart")
        await service.disconnected(first, clean=True)
        await service.cursors.flush()
    store = CursorWrites(path)
    async with running(store, Recorder(), config, clock) as service:
        again = bob_session(bob, "s2")
        await service.activate(again)
        clock.now += service.cursors.unnoticed_window + 10
        await service.cursors.flush()

        assert store.sizes == [] and await store.cursor("token:1", bob.id) == sent


async def broadcast(service: Delivery, admin: User, text: str) -> int:
    """A broadcast from `admin` to everyone; its id."""
    return (await service.sender.send(Actor(admin), Broadcast(message=text))).notification.id


def global_ids(transport: Recorder, sid: str) -> list[int]:
    return [d["id"] for e, d in transport.sent.get(sid, []) if e == "global_notification"]


async def test_a_broadcast_to_many_devices_is_taken_as_received_by_each_after_the_window(clocked: Any) -> None:
    """Every device that never acks is sent a broadcast once; past the window each one's cursor covers
    it, so each comes back with nothing replayed, and one that dropped within the window gets it once more."""
    service, transport, clock, _, _ = clocked
    admin = await service.store.create_user("root", None, admin=True)
    users = [await service.store.create_user(f"u{i}", None, admin=False) for i in range(4)]
    first = [Session(user=u, sid=f"a{i}", device=f"token:{10 + i}", token_id=10 + i) for i, u in enumerate(users)]
    for session in first:
        await service.activate(session)
    old = await broadcast(service, admin, "long ago")
    clock.now += service.cursors.unnoticed_window + 10
    await service.cursors.flush()
    recent = await broadcast(service, admin, "just before the drop")
    clock.now += 5
    for session in first:
        await service.disconnected(session, clean=False)

    again = [Session(user=u, sid=f"b{i}", device=f"token:{10 + i}", token_id=10 + i) for i, u in enumerate(users)]
    for session in again:
        await service.activate(session)

    assert [global_ids(transport, f"a{i}") for i in range(4)] == [[old, recent]] * 4
    assert [global_ids(transport, f"b{i}") for i in range(4)] == [[recent]] * 4, "only what came within the window"
    assert [await service.store.cursor(f"token:{10 + i}", u.id) for i, u in enumerate(users)] == [old] * 4


async def test_what_a_device_was_replayed_counts_as_sent_when_its_replay_ended(clocked: Any) -> None:
    """A device that was away is replayed what it missed; past the window after that replay, its
    cursor covers it all, and after a drop nothing is given a second time."""
    service, transport, clock, alice, bob = clocked
    missed = [await send(service, alice, f"while away {i}") for i in range(3)]
    first = bob_session(bob, "s1")
    await service.activate(first)
    clock.now += service.cursors.unnoticed_window + 10
    await service.cursors.flush()
    await service.disconnected(first, clean=False)

    second = bob_session(bob, "s2")
    await service.activate(second)

    assert transport.ids("s1") == missed
    assert transport.ids("s2") == []
    assert await service.store.cursor("token:1", bob.id) == missed[-1]


async def test_a_device_still_replaying_is_not_taken_to_have_what_it_is_being_replayed(clocked: Any) -> None:
    service, _, clock, _, bob = clocked
    admin = await service.store.create_user("root", None, admin=True)
    carol = await service.store.create_user("carol", None, admin=False)
    await service.activate(Session(user=carol, sid="c1", device="token:7", token_id=7))
    replaying = bob_session(bob, "s1")  # a session is replaying until `catch_up` is over
    service.presence.add(replaying)
    sent = await broadcast(service, admin, "handed out to carol; bob's waits for his replay to end")
    replaying.last_sent = sent  # as far as his replay has gone
    clock.now += service.cursors.unnoticed_window + 10
    await service.cursors.flush()

    assert await service.store.cursor("token:7", carol.id) == sent
    assert await service.store.cursor("token:1", bob.id) == 0


def test_hand_outs_within_a_second_share_an_entry_and_older_ones_are_forgotten() -> None:
    log = HandOuts()
    log.note(10.0, 1)
    log.note(10.5, 2)  # folded into the entry of 10.0
    log.note(11.2, 3)
    log.note(20.0, 4)
    assert log.upto(9.9) == 0
    assert log.upto(10.0) == 2, "an entry carries the last id handed out within its second"
    assert log.upto(15.0) == 3
    assert log.upto(20.0) == 4
    assert log.upto(19.0) == 0, "moments only move forward: the entries before 20.0 are gone"
