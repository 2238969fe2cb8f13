"""Prometheus metrics at `/metrics`, on a registry of the app's own (several hubs may share a process).

The service reports through `HubMetrics` (`service.metrics`); the default `NoMetrics` does
nothing, so the service works, and is tested, without any of this. Gauges of what is live
(connections, users online) are read from the service's presence when Prometheus scrapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hub.http_errors import json_errors

if TYPE_CHECKING:
    from hub.sessions import Actor, Presence
    from hub.store import PruneResult, Stored

#: Delivery latency buckets, seconds: a LAN hub answers in milliseconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class NoMetrics:
    """The service's hooks; the default does nothing."""

    def rate_limited(self, actor: Actor) -> None:
        pass

    def dispatched(self, item: Stored, presence: Presence) -> None:
        pass

    def pruned(self, result: PruneResult) -> None:
        pass


class _Live(Collector):
    def __init__(self, presence: Callable[[], Presence | None]) -> None:
        self._presence = presence

    def collect(self) -> Iterable[Metric]:
        presence = self._presence()
        clients = GaugeMetricFamily("lan_notify_connected_clients", "Authenticated Socket.IO connections")
        users = GaugeMetricFamily("lan_notify_users_online", "Users with at least one connected device")
        clients.add_metric([], len(presence) if presence is not None else 0)
        users.add_metric([], len(presence.online_names()) if presence is not None else 0)
        return [clients, users]


class HubMetrics(NoMetrics):
    def __init__(self, presence: Callable[[], Presence | None], clock: Callable[[], float] = time.time) -> None:
        # No `*_created` series (a creation timestamp per counter and histogram child: twice the series
        # for nothing a dashboard reads). prometheus_client only has a process-wide switch, read when
        # metrics are collected, so building a hub's metrics turns it off for the whole process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
        self.registry = CollectorRegistry(auto_describe=True)
        self._clock = clock
        self.registry.register(_Live(presence))
        r = self.registry
        self.sent = Counter(
            "lan_notify_notifications_sent",
            "Notifications stored, by type and addressing",
            ["type", "kind"],
            registry=r,
        )
        self.delivered = Counter(
            "lan_notify_notifications_delivered",
            "Notifications handed to a live device when sent (one per device)",
            ["type"],
            registry=r,
        )
        self.queued = Counter(
            "lan_notify_notifications_queued",
            "Notifications stored for a recipient with no device online (delivered on reconnect)",
            ["type"],
            registry=r,
        )
        self.rate_limited_total = Counter(
            "lan_notify_rate_limited", "Sends refused by the per-user rate limit", registry=r
        )
        self.latency = Histogram(
            "lan_notify_delivery_latency_seconds",
            "From a send being accepted to the notification being handed to the live devices",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._children: dict[tuple[object, object], tuple[Counter, Counter, Counter]] = {}
        self.prune_runs = Counter("lan_notify_retention_runs", "Retention pruning runs", registry=r)
        self.pruned_deliveries = Counter(
            "lan_notify_retention_removed_deliveries", "Inbox entries removed by retention", registry=r
        )
        self.pruned_notifications = Counter(
            "lan_notify_retention_removed_notifications", "Notifications removed by retention", registry=r
        )

    def rate_limited(self, actor: Actor) -> None:
        self.rate_limited_total.inc()

    def dispatched(self, item: Stored, presence: Presence) -> None:
        note = item.notification
        children = self._children.get((note.type, note.kind))
        if children is None:
            children = self._children[(note.type, note.kind)] = (
                self.sent.labels(note.type.value, note.kind.value),
                self.delivered.labels(note.type.value),
                self.queued.labels(note.type.value),
            )
        sent, delivered, queued = children
        sent.inc()
        devices = 0
        offline = 0
        count = presence.device_count
        for user_id in item.recipients:
            live = count(user_id)
            devices += live
            offline += live == 0
        if devices:
            delivered.inc(devices)
            self.latency.observe(max(0.0, self._clock() - _epoch(note.timestamp)))
        if offline:
            queued.inc(offline)

    def pruned(self, result: PruneResult) -> None:
        self.prune_runs.inc()
        self.pruned_deliveries.inc(result.removed_deliveries)
        self.pruned_notifications.inc(result.removed_notifications)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _epoch(timestamp: str) -> float:
    """Seconds since the epoch of an ISO 8601 timestamp; now for one that cannot be read (never raises)."""
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except (ValueError, TypeError, AttributeError):
        return time.time()


METRICS: web.AppKey[HubMetrics] = web.AppKey("metrics", HubMetrics)


async def metrics_endpoint(request: web.Request) -> web.Response:
    body = request.app[METRICS].exposition()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", json_errors(metrics_endpoint), allow_head=False)
