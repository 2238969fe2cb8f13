"""`create_app(config)`: the hub as an aiohttp application, with Socket.IO attached.

Resources are set up and torn down in `cleanup_ctx` order: the store, then the service (its
background tasks), then Socket.IO. On shutdown the client connections close first (clients
reconnect later), the service finishes every accepted send and saves delivery cursors, then the
store closes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from hub import metrics
from hub.app_keys import (
    ACCOUNTS,
    BODY_READS,
    CONFIG,
    GATE,
    GUARD,
    LOGIN_LIMITS,
    METRICS,
    SERVICE,
    SOCKETS,
    STARTED,
    STORE,
)
from hub.auth import Accounts, passwords, proxy_networks
from hub.auth.login_limits import LOGIN_BURST, LOGIN_REFILL_PER_SECOND, LoginLimits
from hub.config import HubConfig
from hub.delivery import Delivery, Extension, Outbox
from hub.http import BodyReads, WebGuard, add_routes, learn_names, local_names
from hub.redaction import RedactSecrets
from hub.store import create_store
from hub.transport import (
    Gate,
    HubSocketIOServer,
    TransportLayer,
    attach_socketio,
    close_all_connections,
)

log = logging.getLogger(__name__)


def create_app(config: HubConfig) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[CONFIG] = config
    app[STARTED] = time.monotonic()
    packet_loggers = [logging.getLogger("hub.socketio"), logging.getLogger("hub.engineio")]
    for packet_logger in packet_loggers:
        if not any(isinstance(f, RedactSecrets) for f in packet_logger.filters):
            packet_logger.addFilter(RedactSecrets())
    app[GATE] = Gate(config, proxy_networks(config.trusted_proxies))
    app[GUARD] = WebGuard(config, local_names())
    app[BODY_READS] = BodyReads()
    sio = attach_socketio(
        app,
        config,
        gate=app[GATE],
        guard=app[GUARD],
        body_reads=app[BODY_READS],
        loggers=(packet_loggers[0], packet_loggers[1]),
    )
    add_routes(app, config)
    app[METRICS] = metrics.HubMetrics(lambda: app[SERVICE].presence if SERVICE in app else None)
    app[METRICS].watch_connections(lambda: _connection_counts(app, sio))
    app.on_startup.append(_learn_names)
    app.cleanup_ctx.append(_store_ctx)
    if config.redis:
        from hub.cluster import cluster_ctx

        app.cleanup_ctx.append(cluster_ctx(config))
    app.cleanup_ctx.append(_service_ctx(sio))
    app.on_shutdown.append(_on_shutdown(sio))
    if config.open:
        log.warning(
            "OPEN MODE: clients name themselves and no token is checked; use only on a trusted LAN or for a demo"
        )
    return app


def _connection_counts(app: web.Application, sio: HubSocketIOServer) -> metrics.ConnectionCounts:
    gate, eio = app[GATE], sio.eio
    return metrics.ConnectionCounts(
        open=len(gate),
        refused=dict(gate.refused),
        closed={"not_signed_in": eio.dropped_unsigned, "not_reading": eio.dropped_slow, "made_room": gate.evicted},
    )


async def _learn_names(app: web.Application) -> None:
    await learn_names(app[GUARD], app[CONFIG])


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    store = create_store(app[CONFIG])
    await store.open()
    app[STORE] = store
    app[ACCOUNTS] = Accounts(store)
    await asyncio.to_thread(passwords.prepare)  # before the first sign-in, so that it is not the slow one
    log.info("store: %s", store.where())
    yield
    await store.close()


def _service_ctx(sio: socketio.AsyncServer):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        layer = TransportLayer(
            sio, lambda outbox: _make_delivery(app, outbox), max_send_buffer=app[CONFIG].max_send_buffer
        )
        delivery = layer.delivery
        app[SOCKETS] = layer
        app[SERVICE] = delivery
        login_buckets = delivery.buckets("login:", LOGIN_BURST, LOGIN_REFILL_PER_SECOND, what="sign-in limit")
        app[LOGIN_LIMITS] = LoginLimits(login_buckets, proxy_networks(app[CONFIG].trusted_proxies))
        await delivery.start()
        yield
        await layer.close()
        await delivery.stop()

    return ctx


def _make_delivery(app: web.Application, outbox: Outbox) -> Delivery:
    extension: Extension | None = None
    if app[CONFIG].redis:
        from hub.app_keys import CLUSTER_BUS, CLUSTER_REDIS
        from hub.cluster import ClusterNode
        from hub.store.postgres import PostgresStore

        store = app[STORE]
        assert isinstance(store, PostgresStore)
        extension = ClusterNode(app[CONFIG], store, app[CLUSTER_BUS], app[CLUSTER_REDIS])
    return Delivery(app[CONFIG], app[STORE], outbox, metrics=app[METRICS], extension=extension)


def _on_shutdown(sio: socketio.AsyncServer):  # type: ignore[no-untyped-def]
    async def close_clients(app: web.Application) -> None:
        await close_all_connections(sio, app[BODY_READS])

    return close_clients
