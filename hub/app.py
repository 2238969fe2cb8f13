"""`create_app(config)`: the hub as an aiohttp application, with Socket.IO attached.

Resources are set up and torn down in `cleanup_ctx` order: the store, then delivery (its
background tasks), then Socket.IO. On shutdown the client connections close first (clients
reconnect later), delivery finishes every accepted send and saves delivery cursors, then the
store closes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from hub import browser, http_send, metrics, openapi
from hub.accounts import Accounts
from hub.admission import Gate
from hub.auth.login_limits import LOGIN_BURST, LOGIN_REFILL_PER_SECOND, LoginLimits
from hub.config import HubConfig
from hub.delivery import Delivery, Extension, Outbox
from hub.engine_http import EngineRequests
from hub.http_api import ACCOUNTS, LOGIN_LIMITS, SERVICE, STARTED, add_routes
from hub.http_body import BODY_READS, BodyReads
from hub.http_errors import add_fallback
from hub.listener import GATE
from hub.namespace import SocketLayer
from hub.protocol import MAX_PACKET_BYTES
from hub.security import RedactSecrets, proxy_networks
from hub.sio_server import HubServer
from hub.store import Store
from hub.store.factory import create_store, describe
from hub.web_guard import GUARD, WebGuard, learn_names, local_names
from hub.websocket import install_websocket_transport

log = logging.getLogger(__name__)

CONFIG: web.AppKey[HubConfig] = web.AppKey("config", HubConfig)
STORE: web.AppKey[Store] = web.AppKey("store", Store)
SOCKETS: web.AppKey[SocketLayer] = web.AppKey("sockets", SocketLayer)


def create_app(config: HubConfig) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[CONFIG] = config
    app[STARTED] = time.monotonic()
    packet_loggers = [logging.getLogger("hub.socketio"), logging.getLogger("hub.engineio")]
    for packet_logger in packet_loggers:
        if not any(isinstance(f, RedactSecrets) for f in packet_logger.filters):
            packet_logger.addFilter(RedactSecrets())
    sio = HubServer(
        async_mode="aiohttp",
        # A connection's events are handled in order, one at a time, as Node's socket.io does:
        # `authenticate` then `send_notification` at once works, and no task is made per event.
        async_handlers=False,
        cors_allowed_origins=_cors(config),
        ping_interval=config.ping_interval,
        ping_timeout=config.ping_timeout,
        max_http_buffer_size=MAX_PACKET_BYTES,
        logger=packet_loggers[0],
        engineio_logger=packet_loggers[1],
    )
    install_websocket_transport(sio, compress=config.websocket_compression)
    sio.attach(app)
    app[GATE] = Gate(config, proxy_networks(config.trusted_proxies))
    sio.eio.gate = app[GATE]
    sio.eio.sign_in_timeout = config.sign_in_timeout
    sio.eio.backlog.cap = config.max_send_buffer_total
    app[GUARD] = WebGuard(config, local_names())
    app[BODY_READS] = BodyReads()
    EngineRequests(sio.eio, config, app[GUARD], app[BODY_READS], app[GATE]).install()
    add_routes(app)
    http_send.add_routes(app)
    openapi.add_routes(app, config)
    metrics.add_routes(app)
    browser.add_routes(app, config)
    add_fallback(app)
    app[metrics.METRICS] = metrics.HubMetrics(lambda: app[SERVICE].presence if SERVICE in app else None)
    app[metrics.METRICS].watch_connections(lambda: _connection_counts(app, sio))
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


def _connection_counts(app: web.Application, sio: HubServer) -> metrics.ConnectionCounts:
    gate, eio = app[GATE], sio.eio
    return metrics.ConnectionCounts(
        open=len(gate),
        refused=dict(gate.refused),
        closed={"not_signed_in": eio.dropped_unsigned, "not_reading": eio.dropped_slow, "made_room": gate.evicted},
    )


async def _learn_names(app: web.Application) -> None:
    await learn_names(app[GUARD], app[CONFIG])


def _cors(config: HubConfig) -> str | list[str] | None:
    if not config.cors_origins:
        return None  # same origin only
    if "*" in config.cors_origins:
        return "*"
    return list(config.cors_origins)


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    store = create_store(app[CONFIG])
    await store.open()
    app[STORE] = store
    app[ACCOUNTS] = Accounts(store)
    log.info("store: %s", describe(store))
    yield
    await store.close()


def _service_ctx(sio: socketio.AsyncServer):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        layer = SocketLayer(
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
        from hub.cluster import CLUSTER_BUS, CLUSTER_REDIS, ClusterNode
        from hub.store.postgres import PostgresStore

        store = app[STORE]
        assert isinstance(store, PostgresStore)
        extension = ClusterNode(app[CONFIG], store, app[CLUSTER_BUS], app[CLUSTER_REDIS])
    return Delivery(app[CONFIG], app[STORE], outbox, metrics=app[metrics.METRICS], extension=extension)


def _on_shutdown(sio: socketio.AsyncServer):  # type: ignore[no-untyped-def]
    async def close_clients(app: web.Application) -> None:
        # Close the transports, without a Socket.IO or Engine.IO "close" packet: with one,
        # python-socketio clients take it as "server disconnect" and never come back. Clients see
        # the connection end once what was already written or queued for them is sent, and
        # reconnect to the restarted hub, as after any drop (see HubSocket.close).
        # wait=False: a socket whose client is already gone has no writer left to drain its queue.
        sockets = list(sio.eio.sockets.values())
        if sockets:
            log.info("closing %d client connections", len(sockets))
        for socket in sockets:
            await socket.close(wait=False, abort=True, reason=sio.eio.reason.SERVER_DISCONNECT)
        cut = app[BODY_READS].cut()
        if cut:
            log.info("cut %d requests still sending their body", cut)
        await sio.shutdown()

    return close_clients
