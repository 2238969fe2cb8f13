"""What the hand-out sends and what the metrics count of it, from the hand-out's one pass over the
connected devices: devices reached and users queued for, per kind, and a broadcast to everyone that
goes to the users there when it was stored, not to one who signed up since."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.config import HubConfig
from hub.delivery import Actor, Delivery, Session
from hub.metrics import HubMetrics
from hub.protocol import Announce, Broadcast, NotificationType, SendNotification
from hub.store import SqliteStore, User
from tests.support.delivery import CountedStore, Jammed, Recorder, running


def counts(metrics: HubMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The delivery counters as Prometheus reads them."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for s in family.samples
        if s.name.startswith("lan_notify_notifications") or s.name == "lan_notify_delivery_latency_seconds_count"
    }


def device(user: User, n: int) -> Session:
    """A connected device of `user` that is told of presence in batches (no `user_online` frames)."""
    return Session(
        user=user, sid=f"{user.name}{n}", device=f"token:{user.id}{n}", token_id=user.id * 10 + n, batched=True
    )


def events(transport: Recorder, sid: str) -> list[str]:
    return [event for event, _ in transport.sent.get(sid, []) if event != "welcome"]


@pytest.fixture
async def metrics() -> HubMetrics:
    return HubMetrics(lambda: None)


async def test_each_kind_counts_the_devices_it_reached_and_the_users_it_waits_for(
    tmp_path: Path, metrics: HubMetrics
) -> None:
    transport = Recorder()
    async with running(
        SqliteStore(tmp_path / "hub.sqlite3"), transport, HubConfig(data_dir=tmp_path), metrics=metrics
    ) as service:
        store = service.store
        root = await store.create_user("root", None, admin=True)  # the sender, with no device online
        bob = await store.create_user("bob", None, admin=False)  # two devices
        await store.create_user("carol", None, admin=False)  # no device: what is hers waits
        dave = await store.create_user("dave", None, admin=False)  # one device
        for session in (device(bob, 1), device(bob, 2), device(dave, 1)):
            await service.activate(session)

        await service.sender.send(Actor(root), Broadcast(message="to everyone"))
        await service.sender.send(Actor(root), Announce(message="maintenance at noon"))
        error = NotificationType.ERROR
        await service.sender.send(Actor(root), SendNotification(to="bob", message="for bob", type=error))
        await service.sender.send(Actor(root), SendNotification(to="carol", message="for carol", type=error))

    for sid in ("bob1", "bob2"):
        assert events(transport, sid) == ["global_notification", "server_announcement", "notification"]
    assert events(transport, "dave1") == ["global_notification", "server_announcement"]
    assert counts(metrics) == {
        ("lan_notify_notifications_sent_total", (("kind", "everyone"), ("type", "info"))): 1,
        ("lan_notify_notifications_sent_total", (("kind", "announcement"), ("type", "system"))): 1,
        ("lan_notify_notifications_sent_total", (("kind", "direct"), ("type", "error"))): 2,
        # bob's two devices and dave's, for each notification to everyone; bob's two for his
        ("lan_notify_notifications_delivered_total", (("type", "info"),)): 3,
        ("lan_notify_notifications_delivered_total", (("type", "system"),)): 3,
        ("lan_notify_notifications_delivered_total", (("type", "error"),)): 2,
        # root and carol have no device online: each notification to everyone waits for both
        ("lan_notify_notifications_queued_total", (("type", "info"),)): 2,
        ("lan_notify_notifications_queued_total", (("type", "system"),)): 2,
        ("lan_notify_notifications_queued_total", (("type", "error"),)): 1,
        ("lan_notify_delivery_latency_seconds_count", ()): 3,
    }


@pytest.fixture
async def held(tmp_path: Path, metrics: HubMetrics) -> AsyncIterator[tuple[Delivery, CountedStore, Jammed]]:
    """A delivery whose hand-out waits at `Jammed.gate`, counting with `metrics`."""
    store, transport = CountedStore(tmp_path / "hub.sqlite3"), Jammed()
    async with running(store, transport, HubConfig(data_dir=tmp_path), metrics=metrics) as service:
        yield service, store, transport
        transport.gate.set()


async def test_a_user_who_signs_up_after_a_broadcast_is_stored_is_not_sent_it_nor_counted(
    held: Any, metrics: HubMetrics
) -> None:
    service, store, transport = held
    root = await store.create_user("root", None, admin=True)
    bob = await store.create_user("bob", None, admin=False)
    await service.activate(device(bob, 1))
    first = await service.sender.accept_direct(Actor(root), SendNotification(to="bob", message="first"))
    await asyncio.wait_for(transport.held.wait(), 5)  # stored, and its hand-out held
    broadcast = await service.sender.accept_broadcast(Actor(root), Broadcast(message="to everyone there now"))
    await store.changes.until(lambda: len(store.committed) == 2, 5)  # stored for root and bob

    erin = await store.create_user("erin", None, admin=False)  # after it: she does not have it
    await service.activate(device(erin, 1))
    transport.gate.set()
    await asyncio.wait_for(asyncio.gather(first, broadcast), 5)

    assert events(transport, "bob1") == ["notification", "global_notification"]
    assert events(transport, "erin1") == []
    assert [n.id for n in (await store.replay(erin.id, 0, 100))] == []  # nor will a replay give it her
    sample = counts(metrics)
    assert sample[("lan_notify_notifications_delivered_total", (("type", "info"),))] == 1  # bob's device, not erin's
    assert sample[("lan_notify_notifications_queued_total", (("type", "info"),))] == 1  # root, for the broadcast
