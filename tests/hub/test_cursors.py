"""Delivery cursors without sockets: what a client that never acks is taken to have received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Delivery
from hub.store import SqliteStore, User
from tests.support.delivery import Recorder, alice_and_bob, bob_session, send
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


async def test_a_client_whose_cursor_caught_up_holds_no_trail_until_it_is_sent_more(clocked: Any) -> None:
    service, _, clock, alice, bob = clocked
    session = bob_session(bob, "s1")  # a client that never acks
    await service.activate(session)
    sent = await send(service, alice, "one")
    clock.now += service.cursors.unnoticed_window + 1
    await service.cursors.flush()

    assert await service.store.cursor("token:1", bob.id) == sent
    assert session.trail is None, "nothing is left to confirm: the cursors' walk skips this session"


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
