"""`create_app(config)`: the hub as an aiohttp application, with Socket.IO attached.

Resources are set up and torn down in `cleanup_ctx` order: the store, then the service (its
background tasks), then Socket.IO. On shutdown the client connections close first (clients
reconnect later), the service finishes every accepted send and saves delivery cursors, then the
store closes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from hub.accounts import Accounts
from hub.config import HubConfig
from hub.http_api import ACCOUNTS, LOGIN_LIMITS, SERVICE, STARTED, add_routes, errors_middleware
from hub.namespace import HubServer, SocketLayer
from hub.protocol import MAX_PACKET_BYTES
from hub.ratelimit import TokenBuckets
from hub.service import HubService
from hub.store import SqliteStore, Store

log = logging.getLogger(__name__)

CONFIG: web.AppKey[HubConfig] = web.AppKey("config", HubConfig)
STORE: web.AppKey[Store] = web.AppKey("store", Store)
SOCKETS: web.AppKey[SocketLayer] = web.AppKey("sockets", SocketLayer)


def create_app(config: HubConfig) -> web.Application:
    app = web.Application(middlewares=[errors_middleware], client_max_size=64 * 1024)
    app[CONFIG] = config
    app[STARTED] = time.monotonic()
    app[LOGIN_LIMITS] = TokenBuckets(burst=10, refill_per_second=0.2)
    sio = HubServer(
        async_mode="aiohttp",
        cors_allowed_origins=_cors(config),
        ping_interval=config.ping_interval,
        ping_timeout=config.ping_timeout,
        max_http_buffer_size=MAX_PACKET_BYTES,
        logger=logging.getLogger("hub.socketio"),
        engineio_logger=logging.getLogger("hub.engineio"),
    )
    sio.attach(app)
    add_routes(app)
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(_service_ctx(sio))
    app.on_shutdown.append(_on_shutdown(sio))
    if config.open:
        log.warning(
            "OPEN MODE: clients name themselves and no token is checked; use only on a trusted LAN or for a demo"
        )
    return app


def _cors(config: HubConfig) -> str | list[str] | None:
    if not config.cors_origins:
        return None  # same origin only
    if "*" in config.cors_origins:
        return "*"
    return list(config.cors_origins)


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    store = SqliteStore(app[CONFIG].database_path)
    await store.open()
    app[STORE] = store
    app[ACCOUNTS] = Accounts(store)
    log.info("store: %s", store.path)
    yield
    await store.close()


def _service_ctx(sio: socketio.AsyncServer):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        layer = SocketLayer(sio, lambda transport: HubService(app[CONFIG], app[STORE], transport))
        app[SOCKETS] = layer
        app[SERVICE] = layer.service
        await layer.service.start()
        yield
        await layer.close()
        await layer.service.stop()

    return ctx


def _on_shutdown(sio: socketio.AsyncServer):  # type: ignore[no-untyped-def]
    async def close_clients(app: web.Application) -> None:
        # Close the Engine.IO connections (not a Socket.IO "server disconnect", which tells clients
        # not to come back): clients see a dropped transport and reconnect to the restarted hub.
        # wait=False: a socket whose client is already gone has no writer left to drain its queue.
        sockets = list(sio.eio.sockets.values())
        if sockets:
            log.info("closing %d client connections", len(sockets))
        for socket in sockets:
            await socket.close(wait=False, reason=sio.eio.reason.SERVER_DISCONNECT)
        await sio.shutdown()

    return close_clients
