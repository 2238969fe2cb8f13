"""Prometheus metrics move with what happens: connections, sends, deliveries, queueing, limits, retention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from hub.delivery import Presence, Session
from hub.metrics import LATENCY_BUCKETS, HubMetrics
from hub.protocol import Kind, Notification, NotificationType
from hub.store import Stored, User
from tests.support.http import call
from tests.support.hubs import Hub
from tests.support.raw_engineio import RawSocket
from tests.support.raw_http import RawHttp, request


async def scrape(hub: Hub) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await call(hub, "GET", "/metrics")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.body)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_notification_sent_over_http_moves_the_counters(hub: Hub) -> None:
    alice = await hub.user("alice")
    await hub.user("carol")  # offline: her copy is queued
    bob = await hub.client(await hub.user("bob"))
    before = await scrape(hub)
    assert value(before, "lan_notify_connected_clients") == 1
    assert value(before, "lan_notify_users_online") == 1

    to_bob = await call(hub, "POST", "/api/notify/bob", token=alice, data="x", headers={"X-Type": "error"})
    to_carol = await call(hub, "POST", "/api/notify/carol", token=alice, data="y", headers={"X-Type": "error"})
    assert (to_bob.status, to_carol.status) == (201, 201)
    await bob.next("notification")

    after = await scrape(hub)
    assert value(after, "lan_notify_notifications_sent_total", type="error", kind="direct") == 2
    assert value(after, "lan_notify_notifications_delivered_total", type="error") == 1
    assert value(after, "lan_notify_notifications_queued_total", type="error") == 1
    assert value(after, "lan_notify_delivery_latency_seconds_count") == 1
    assert value(after, "lan_notify_rate_limited_total") == 0


async def test_rate_limit_rejections_are_counted(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=1, rate_refill_per_second=0.01)
    token = await hub.user("alice")
    await call(hub, "POST", "/api/notify/alice", token=token, data="1")
    assert (await call(hub, "POST", "/api/notify/alice", token=token, data="2")).status == 429
    assert value(await scrape(hub), "lan_notify_rate_limited_total") == 1


async def test_retention_pruning_is_reported(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(retention_count=1)
    token = await hub.user("alice")
    for i in range(3):
        await call(hub, "POST", "/api/notify/alice", token=token, data=f"m{i}")
    runs = value(await scrape(hub), "lan_notify_retention_runs_total")

    await hub.delivery.maintenance.prune()

    samples = await scrape(hub)
    assert runs >= 1 and value(samples, "lan_notify_retention_runs_total") >= runs + 1
    assert value(samples, "lan_notify_retention_removed_deliveries_total") == 2
    assert value(samples, "lan_notify_retention_removed_notifications_total") == 2


async def test_the_exposition_has_no_created_series(hub: Hub) -> None:
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    assert (await call(hub, "POST", "/api/notify/bob", token=alice, data="x")).status == 201
    await bob.next("notification")

    body = (await call(hub, "GET", "/metrics")).body

    assert "lan_notify_notifications_sent_total{" in body and "lan_notify_delivery_latency_seconds_count" in body
    assert [line for line in body.splitlines() if "_created" in line] == []


def test_each_hub_has_its_own_registry() -> None:
    first, second = HubMetrics(lambda: None), HubMetrics(lambda: None)
    first.rate_limited_total.inc()
    assert b"lan_notify_rate_limited_total 1.0" in first.exposition()
    assert b"lan_notify_rate_limited_total 0.0" in second.exposition()


def test_the_delivery_tally_exposes_what_prometheus_client_would() -> None:
    """Deliveries are counted in plain ints (hub/metrics.py); the scrape must read exactly as
    prometheus_client's own Counter and Histogram would for the same notifications."""
    presence = Presence()
    presence.add(Session(sid="s1", user=User(1, "bob", admin=False)))
    presence.add(Session(sid="s2", user=User(1, "bob", admin=False)))  # bob: two devices
    sent_at = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    now = [sent_at]
    metrics = HubMetrics(lambda: presence, clock=lambda: now[0])
    reference = CollectorRegistry(auto_describe=True)
    sent = Counter("lan_notify_notifications_sent", "", ["type", "kind"], registry=reference)
    delivered = Counter("lan_notify_notifications_delivered", "", ["type"], registry=reference)
    queued = Counter("lan_notify_notifications_queued", "", ["type"], registry=reference)
    latency = Histogram("lan_notify_delivery_latency_seconds", "", buckets=LATENCY_BUCKETS, registry=reference)
    cases = [  # (type, kind, recipients, seconds since accepted)
        (NotificationType.INFO, Kind.DIRECT, (1,), 0.0004),
        (NotificationType.INFO, Kind.DIRECT, (1,), 0.25),  # on a bound (exact in binary): counted in that bucket
        (NotificationType.ERROR, Kind.ROOM, (1, 2), 0.07),  # user 2 is offline: queued
        (NotificationType.ERROR, Kind.DIRECT, (2,), 0.5),  # nobody online: no latency observed
        (NotificationType.SYSTEM, Kind.ANNOUNCEMENT, (1, 2, 3), 42.0),  # past the largest bound
    ]
    for i, (type_, kind, recipients, seconds) in enumerate(cases, start=1):
        note = Notification(
            id=i, kind=kind, type=type_, title="", message="m", sender="alice", timestamp="2026-12-01T12:00:00.000Z"
        )
        now[0] = sent_at + seconds
        metrics.dispatched(Stored(note, recipients), presence)
        sent.labels(type_.value, kind.value).inc()
        online = sum(presence.device_count(r) for r in recipients)
        offline = sum(presence.device_count(r) == 0 for r in recipients)
        if online:
            delivered.labels(type_.value).inc(online)
            latency.observe(seconds)
        if offline:
            queued.labels(type_.value).inc(offline)

    def samples(body: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return {
            (s.name, tuple(sorted(s.labels.items()))): round(s.value, 6)
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples
            if family.name.startswith(("lan_notify_notifications", "lan_notify_delivery"))
        }

    assert samples(metrics.exposition()) == samples(generate_latest(reference))
    assert samples(metrics.exposition())[("lan_notify_notifications_queued_total", (("type", "error"),))] == 2


async def test_refused_and_closed_connections_are_counted(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(max_pending_per_address=2, sign_in_timeout=0.5)
    idle = [await RawHttp.open(hub.url, source="127.0.0.2") for _ in range(2)]
    try:
        third = await RawHttp.open(hub.url, source="127.0.0.2")
        await third.send(request("GET", "/api/health"))
        assert (await third.answer()).status == 429
        await third.close()
        unsigned = await RawSocket.open(hub.url)  # never signs in: closed at its deadline
        assert await unsigned.receive() in ("1", None)
        await unsigned.close()
        samples = await scrape(hub)
    finally:
        for raw in idle:
            await raw.close()
    assert value(samples, "lan_notify_connections_refused_total", reason="per_address") == 1
    assert value(samples, "lan_notify_connections_closed_total", reason="not_signed_in") == 1
    assert value(samples, "lan_notify_open_connections") >= 3  # the two idle ones and the scrape's own
