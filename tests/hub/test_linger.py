"""The commit linger on a real store: a steady stream of sends shares few commits, and a sender that
stops, or waits for each answer before it sends again, is not kept waiting out the linger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery
from hub.delivery import pipeline as pipeline_module
from hub.protocol import Kind, NotificationType
from hub.store import SqliteStore, Stored, User
from tests.support.delivery import Recorder, alice_and_bob, bob_session
from tests.support.waiting import WAIT

#: A linger far longer than any test waits: a batch that waited it out would fail the test.
MINUTE_MS = 60_000


class BatchedStore(SqliteStore):
    """Records the ids of each batch it commits; `idle` is set while no commit is under way."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.batches: list[list[int]] = []
        self.idle = asyncio.Event()
        self.idle.set()

    async def add(self, drafts: Any) -> Any:
        self.idle.clear()
        try:
            stored = await super().add(drafts)
        finally:
            self.idle.set()
        self.batches.append([s.notification.id for s in stored])
        return stored


@pytest.fixture
async def lingering(tmp_path: Path) -> AsyncIterator[tuple[Delivery, BatchedStore, Recorder, User, User]]:
    """A service that may linger a minute for a bigger commit, bob connected as "s1"; alice sends."""
    store, outbox = BatchedStore(tmp_path / "hub.sqlite3"), Recorder()
    config = HubConfig(data_dir=tmp_path, commit_linger_ms=MINUTE_MS)
    async with alice_and_bob(store, outbox, config) as (service, alice, bob):
        await service.activate(bob_session(bob, "s1", acking=True, resume_from=0))
        yield service, store, outbox, alice, bob


def _to_bob(service: Delivery, alice: User, bob: User, text: str) -> asyncio.Future[Stored]:
    draft = service.sender.new(Actor(alice), Kind.DIRECT, NotificationType.INFO, "", text, to_user_id=bob.id)
    return service.pipeline.enqueue(draft)


def _to_everyone(service: Delivery, alice: User, text: str) -> asyncio.Future[Stored]:
    draft = service.sender.new(Actor(alice), Kind.EVERYONE, NotificationType.INFO, "", text)
    return service.pipeline.enqueue(draft)


async def _answers(futures: list[asyncio.Future[Stored]]) -> list[int]:
    return [(await asyncio.wait_for(f, WAIT)).notification.id for f in futures]


async def test_a_steady_stream_of_sends_shares_a_few_large_commits(
    lingering: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, store, outbox, alice, bob = lingering
    service.pipeline.linger = 1.0  # long, yet a batch that waits it out still answers within the test's wait
    monkeypatch.setattr(pipeline_module, "LINGER_GAP", 60.0)  # one slice: a stall of this machine cannot end it
    futures = []
    for i in range(300):
        # Hold off while a commit is under way, so that every send comes while the dispatcher gathers
        # a batch: how many commits carry the stream is the linger's doing, not the disk's speed.
        await asyncio.wait_for(store.idle.wait(), WAIT)
        futures.append(_to_bob(service, alice, bob, f"m{i}"))
        await asyncio.sleep(0)  # one send per turn of the event loop

    ids = await _answers(futures)
    assert ids == sorted(ids) and outbox.ids("s1") == ids  # all stored and handed out, in the order sent
    assert [i for batch in store.batches for i in batch] == ids
    # The first send, after a quiet moment, is stored alone; the rest share one commit.
    assert [len(b) for b in store.batches] == [1, 299]


async def test_a_burst_then_silence_is_stored_without_waiting_out_the_linger(lingering: Any) -> None:
    service, store, outbox, alice, bob = lingering
    first = await asyncio.wait_for(_to_bob(service, alice, bob, "first"), WAIT)  # a batch just handed on
    burst = [_to_bob(service, alice, bob, f"burst {i}") for i in range(5)]  # ...then a few, then nothing

    ids = await _answers(burst)  # not a minute later
    assert store.batches == [[first.notification.id], ids]
    assert outbox.ids("s1") == [first.notification.id, *ids]


async def test_a_sender_that_waits_for_each_answer_is_not_kept_waiting_by_the_linger(lingering: Any) -> None:
    service, _store, outbox, alice, bob = lingering
    ids = []
    for i in range(20):  # each send only once the one before is answered: a batch never grows
        stored = await asyncio.wait_for(_to_bob(service, alice, bob, f"m{i}"), WAIT)
        ids.append(stored.notification.id)

    assert ids == sorted(ids)
    assert outbox.ids("s1") == ids


async def test_sends_to_everyone_are_stored_as_they_come_not_held_for_a_bigger_commit(lingering: Any) -> None:
    service, store, outbox, alice, _bob = lingering
    service.pipeline.linger = 1.0
    futures = []
    for i in range(100):  # the steady stream above, of sends to everyone
        await asyncio.wait_for(store.idle.wait(), WAIT)
        futures.append(_to_everyone(service, alice, f"all {i}"))
        await asyncio.sleep(0)

    ids = await _answers(futures)
    assert [d["id"] for _, d in outbox.sent["s1"] if "id" in d] == ids  # bob got every one, in order
    # Each is committed as it comes (a commit carries what queued during the one before), where direct
    # sends share a few commits: no broadcast waits on the linger for others.
    assert len(store.batches) >= 50, [len(b) for b in store.batches]


async def test_a_sender_that_waits_for_each_answer_stops_the_linger_after_a_few_empty_ones(
    lingering: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of its sends would linger a slice for nothing; after LINGER_MISSES (here 2) such lingers they do not."""
    service, _store, outbox, alice, bob = lingering
    monkeypatch.setattr(pipeline_module, "LINGER_RETRY", 3600.0)  # not lingering again within the test
    monkeypatch.setattr(pipeline_module, "LINGER_MISSES", 2)
    lingers = 0
    linger = service.pipeline._linger

    async def counted(batch: Any) -> None:
        nonlocal lingers
        lingers += 1
        await linger(batch)

    monkeypatch.setattr(service.pipeline, "_linger", counted)
    ids = [(await asyncio.wait_for(_to_bob(service, alice, bob, f"m{i}"), WAIT)).notification.id for i in range(20)]

    assert outbox.ids("s1") == ids == sorted(ids)
    assert lingers == 2  # 19 (all but the first) if every send lingered
