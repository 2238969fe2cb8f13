"""The pipeline without sockets: a bad draft fails alone, storing overlaps handing out, and a small
batch waits a moment for company while sends keep coming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery
from hub.delivery import pipeline as pipeline_module
from hub.delivery.pipeline import LINGER_BELOW
from hub.errors import HubError, Unavailable
from hub.protocol import Kind, NotificationType, SendNotification
from hub.store import SqliteStore, User
from tests.support.delivery import CountedStore, Jammed, Recorder, alice_and_bob, bob_session, recorded, send
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


class GatedStore(SqliteStore):
    """Its first commit waits at a gate the test opens; records the ids of each batch it stores."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.held = asyncio.Event()
        self.changes = Changes()

    async def add(self, drafts: Any) -> Any:
        if not self.batches:
            self.held.set()
            await self.gate.wait()
        stored = await super().add(drafts)
        self.batches.append([s.notification.id for s in stored])
        self.changes.poke()
        return stored


@pytest.fixture
async def gated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Delivery, GatedStore, User, User]]:
    """A service that lingers a minute for a bigger commit (`commit_linger_ms`), in one slice (a quiet
    slice would end it sooner), on a `GatedStore`."""
    monkeypatch.setattr(pipeline_module, "LINGER_GAP", 60.0)
    store = GatedStore(tmp_path / "hub.sqlite3")
    config = HubConfig(data_dir=tmp_path, commit_linger_ms=60_000)
    async with alice_and_bob(store, Recorder(), config) as (service, alice, bob):
        yield service, store, alice, bob
        store.gate.set()


def _to_bob(service: Delivery, alice: User, bob: User, text: str) -> asyncio.Future[Any]:
    draft = service.sender.new(Actor(alice), Kind.DIRECT, NotificationType.INFO, "", text, to_user_id=bob.id)
    return service.pipeline.enqueue(draft)


async def test_while_sends_keep_coming_a_small_batch_waits_for_more_to_share_its_commit(gated: Any) -> None:
    service, store, alice, bob = gated
    first = _to_bob(service, alice, bob, "first")
    await asyncio.wait_for(store.held.wait(), 5)  # the first commit is under way...
    second = _to_bob(service, alice, bob, "second")  # ...and a send arrives meanwhile: traffic
    store.gate.set()
    await store.changes.until(lambda: len(store.batches) == 1, 5)
    # The dispatcher took "second" alone as the first commit ended; these come a moment later and
    # fill its batch (LINGER_BELOW of them), so it is committed at once, not a minute later.
    rest = [_to_bob(service, alice, bob, f"m{i}") for i in range(LINGER_BELOW - 1)]

    ids = [(await asyncio.wait_for(f, 5)).notification.id for f in (first, second, *rest)]
    assert store.batches == [ids[:1], ids[1:]]  # one commit for all that came in the meantime
    assert ids == sorted(ids)  # in the order sent


async def test_a_send_after_a_quiet_moment_is_stored_without_waiting(gated: Any) -> None:
    service, store, alice, bob = gated
    store.gate.set()
    alone = await asyncio.wait_for(_to_bob(service, alice, bob, "alone"), 5)  # not after the minute of linger
    assert store.batches == [[alone.notification.id]]


async def _second_lingering(gated: Any) -> tuple[asyncio.Future[Any], asyncio.Future[Any]]:
    """A first send stored alone, then a second that came during its commit and lingers for company."""
    service, store, alice, bob = gated
    first = _to_bob(service, alice, bob, "first")
    await asyncio.wait_for(store.held.wait(), 5)
    second = _to_bob(service, alice, bob, "second")
    store.gate.set()
    await store.changes.until(lambda: len(store.batches) == 1, 5)
    return first, second


async def test_stopping_does_not_wait_out_the_linger(gated: Any) -> None:
    service, store, _alice, _bob = gated
    first, second = await _second_lingering(gated)

    await asyncio.wait_for(service.stop(), 5)
    assert [f.result().notification.id for f in (first, second)] == [b[0] for b in store.batches]


async def test_a_dispatcher_cancelled_while_a_batch_lingers_tells_its_senders(gated: Any) -> None:
    _service, store, _alice, _bob = gated
    first, second = await _second_lingering(gated)

    (dispatcher,) = [t for t in asyncio.all_tasks() if t.get_name() == "hub-dispatcher"]
    dispatcher.cancel()  # as the hub's jobs are cancelled when it stops without draining

    with pytest.raises(Unavailable):
        await asyncio.wait_for(second, 5)  # told, not left waiting for ever
    assert (await first).notification.id == store.batches[0][0]
    assert len(store.batches) == 1  # "second" was not stored
