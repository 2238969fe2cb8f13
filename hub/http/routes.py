"""`add_routes(app, config)`: every route the hub serves over HTTP, in the order aiohttp matches them.

The HTTP API (sign-in, health, sends, the inbox, its OpenAPI document), `/metrics`, what browsers are
served (the web app, a `--public` folder, the Socket.IO client: hub/http/browser/), and last the
fallback that answers every other path and method with a JSON error. Each handler sits behind
`json_errors` (hub/http/errors.py). Socket.IO's own `/socket.io/` route is added by `sio.attach`,
before these.
"""

from __future__ import annotations

from aiohttp import web

from hub.config import HubConfig
from hub.http import browser, openapi, reads
from hub.http.errors import add_fallback, json_errors
from hub.http.health import health
from hub.http.inbox import history, responses
from hub.http.metrics import metrics_endpoint
from hub.http.scheduled import cancel_scheduled, list_scheduled
from hub.http.send import notify_room, notify_user, post_notification, retract_key
from hub.http.signin import login, logout


def add_routes(app: web.Application, config: HubConfig) -> None:
    app.router.add_post("/api/login", json_errors(login))
    app.router.add_post("/api/logout", json_errors(logout))
    app.router.add_get("/api/health", json_errors(health))
    app.router.add_post("/api/notifications", json_errors(post_notification))
    app.router.add_get("/api/notifications", json_errors(history), allow_head=False)
    app.router.add_get("/api/notifications/{id}/responses", json_errors(responses), allow_head=False)
    app.router.add_delete("/api/notifications/keys/{key}", json_errors(retract_key))
    app.router.add_get("/api/notifications/{id}/receipts", json_errors(reads.receipts), allow_head=False)
    app.router.add_post("/api/read", json_errors(reads.mark_read))
    app.router.add_get("/api/scheduled", json_errors(list_scheduled), allow_head=False)
    app.router.add_delete("/api/scheduled/{key}", json_errors(cancel_scheduled))
    app.router.add_post("/api/notify/room/{room}", json_errors(notify_room))  # before /api/notify/{user}
    app.router.add_post("/api/notify/{user}", json_errors(notify_user))
    openapi.add_routes(app, config)
    app.router.add_get("/metrics", json_errors(metrics_endpoint), allow_head=False)
    browser.add_routes(app, config)  # its `--public` folder takes every path no route above took
    add_fallback(app)
