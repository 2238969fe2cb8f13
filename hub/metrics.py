"""Prometheus metrics at `/metrics`, on a registry of the app's own (several hubs may share a process).

Delivery reports through `HubMetrics` (`Delivery(metrics=...)`); the default `NoMetrics` does
nothing, so delivery works, and is tested, without any of this. Gauges of what is live
(connections, users online) are read from delivery's presence when Prometheus scrapes.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from hub.store.base import CONTROL, LIVE_ONLY

if TYPE_CHECKING:
    from hub.delivery import Actor, Presence
    from hub.delivery.fanout import Reach
    from hub.store import PruneResult, Stored

#: Delivery latency buckets, seconds: a LAN hub answers in milliseconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: The buckets' `le` labels, as prometheus_client writes them.
_BOUNDS = [floatToGoString(b) for b in LATENCY_BUCKETS] + ["+Inf"]  # type: ignore[no-untyped-call]


class NoMetrics:
    """The service's hooks; the default does nothing."""

    def rate_limited(self, actor: Actor) -> None:
        pass

    def dispatched(self, item: Stored, presence: Presence) -> None:
        """A notification handed out (or stored, on a cluster) counted against who is connected here now."""

    def dispatched_batch(self, items: Sequence[Stored], presence: Presence) -> None:
        """`dispatched` for each of a batch handed out together."""

    def handed_out(self, items: Sequence[Stored], reached: Sequence[Reach]) -> None:
        """A batch handed out together, with what handing each out found (`Fanout.deliver`)."""

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
        users.add_metric([], presence.online_count() if presence is not None else 0)
        return [clients, users]


class _Deliveries(Collector):
    """What the hand-out counts for every notification, kept in plain ints and reported as counters
    and a histogram when Prometheus scrapes. prometheus_client's own counters take a lock and a few
    calls per increment, several per notification, a visible share of the hub's CPU per direct
    notification. Only the event loop's thread counts, so no lock is needed."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, ...], int] = {}  # (type, kind)
        self.delivered: dict[str, int] = {}
        self.queued: dict[str, int] = {}
        #: Observations per latency bucket (not cumulative), the last one past the largest bound.
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.latency_sum = 0.0

    def observe(self, seconds: float) -> None:
        self.buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum += seconds

    def collect(self) -> Iterable[Metric]:
        sent = _counter(
            "lan_notify_notifications_sent", "Notifications stored, by type and addressing", ["type", "kind"], self.sent
        )
        delivered = _counter(
            "lan_notify_notifications_delivered",
            "Notifications handed to a live device when sent (one per device)",
            ["type"],
            {(type_,): count for type_, count in self.delivered.items()},
        )
        queued = _counter(
            "lan_notify_notifications_queued",
            "Notifications stored for a recipient with no device online (delivered on reconnect)",
            ["type"],
            {(type_,): count for type_, count in self.queued.items()},
        )
        latency = HistogramMetricFamily(
            "lan_notify_delivery_latency_seconds",
            "From a send being accepted to the notification being handed to the live devices",
            buckets=list(zip(_BOUNDS, accumulate(self.buckets), strict=True)),
            sum_value=self.latency_sum,
        )
        return [sent, delivered, queued, latency]


@dataclass(frozen=True, slots=True)
class ConnectionCounts:
    """What the hub's connection limits did so far (hub/transport/admission.py, hub/transport/engine_server.py)."""

    open: int
    refused: dict[str, int]  # by reason: per_address, full
    closed: dict[str, int]  # by reason: not_signed_in, not_reading, made_room


class _Connections(Collector):
    def __init__(self, counts: Callable[[], ConnectionCounts]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[Metric]:
        counts = self._counts()
        open_ = GaugeMetricFamily("lan_notify_open_connections", "TCP connections open to the hub")
        open_.add_metric([], counts.open)
        refused = _counter(
            "lan_notify_connections_refused",
            "New connections refused at once: too many pending from one address, or the hub full",
            ["reason"],
            {(reason,): n for reason, n in counts.refused.items()},
        )
        closed = _counter(
            "lan_notify_connections_closed",
            "Connections the hub closed: not signed in in time, not reading, or to make room",
            ["reason"],
            {(reason,): n for reason, n in counts.closed.items()},
        )
        return [open_, refused, closed]


def _counter(name: str, doc: str, labels: list[str], counts: dict[tuple[str, ...], int]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=labels)
    for values, count in sorted(counts.items()):
        family.add_metric(list(values), count)
    return family


class HubMetrics(NoMetrics):
    def __init__(self, presence: Callable[[], Presence | None], clock: Callable[[], float] = time.time) -> None:
        # No `*_created` series (a creation timestamp per counter and histogram child: twice the series
        # for nothing a dashboard reads). prometheus_client only has a process-wide switch, read when
        # metrics are collected, so building a hub's metrics turns it off for the whole process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
        self.registry = CollectorRegistry(auto_describe=True)
        self._clock = clock
        self.registry.register(_Live(presence))
        self.deliveries = _Deliveries()
        self.registry.register(self.deliveries)
        r = self.registry
        self.rate_limited_total = Counter(
            "lan_notify_rate_limited", "Sends refused by the per-user rate limit", registry=r
        )
        self.prune_runs = Counter("lan_notify_retention_runs", "Retention pruning runs", registry=r)
        self.pruned_deliveries = Counter(
            "lan_notify_retention_removed_deliveries", "Inbox entries removed by retention", registry=r
        )
        self.pruned_notifications = Counter(
            "lan_notify_retention_removed_notifications", "Notifications removed by retention", registry=r
        )
        #: The timestamp last read and its epoch: the notifications of a batch share a few.
        self._stamp = ("", 0.0)

    def watch_connections(self, counts: Callable[[], ConnectionCounts]) -> None:
        self.registry.register(_Connections(counts))

    def rate_limited(self, actor: Actor) -> None:
        self.rate_limited_total.inc()

    def dispatched(self, item: Stored, presence: Presence) -> None:
        self.handed_out((item,), (presence.reach(item.recipients),))

    def dispatched_batch(self, items: Sequence[Stored], presence: Presence) -> None:
        reach = presence.reach
        self.handed_out(items, [reach(item.recipients) for item in items])

    def handed_out(self, items: Sequence[Stored], reached: Sequence[Reach]) -> None:
        """Counted per batch: the tallies and the clock read once for the whole batch, and nothing per
        recipient (the hand-out's own pass counted the devices and who has none)."""
        tally = self.deliveries
        sent, delivered, queued = tally.sent, tally.delivered, tally.queued
        now = self._clock()
        for item, (devices, offline) in zip(items, reached, strict=True):
            note = item.notification
            kind = note.kind
            if kind in CONTROL:  # news about notifications (a retraction), not one
                continue
            type_ = note.type._value_  # the `value` property's result, without its two calls
            key = (type_, kind._value_)
            sent[key] = sent.get(key, 0) + 1
            if devices:
                delivered[type_] = delivered.get(type_, 0) + devices
                stamp, epoch = self._stamp
                if stamp != note.timestamp:
                    epoch = _epoch(note.timestamp)
                    self._stamp = (note.timestamp, epoch)
                tally.observe(max(0.0, now - epoch))
            if offline and kind not in LIVE_ONLY:  # a live-only notice waits for nobody
                queued[type_] = queued.get(type_, 0) + offline

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
