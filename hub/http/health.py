"""`GET /api/health`: whether the hub and its store answer, its version, uptime and connections."""

from __future__ import annotations

import time

from aiohttp import web

from hub import __version__
from hub.app_keys import SERVICE, STARTED
from hub.errors import HubError


async def health(request: web.Request) -> web.Response:
    delivery = request.app[SERVICE]
    store_ok = True
    try:
        await delivery.store.check()
    except HubError:
        store_ok = False
    body = {
        "status": "ok" if store_ok else "degraded",
        "store": "ok" if store_ok else "unavailable",
        "version": __version__,
        "uptime_seconds": round(time.monotonic() - request.app[STARTED], 3),
        "connections": len(delivery.presence),
    }
    return web.json_response(body, status=200 if store_ok else 503)
