"""HTTP endpoints: sign-in (device tokens), sign-out, health.

Errors answer `{"error": {"code", "message"}}` with the matching HTTP status, like the Socket.IO acks.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from hub import __version__, jsonwire
from hub.accounts import Accounts
from hub.auth.login_limits import LoginLimits
from hub.delivery import Delivery
from hub.errors import HubError, InvalidPayload, Unauthorized
from hub.http_body import BODY_READS, expect_json, read_bounded
from hub.http_errors import json_errors
from hub.protocol import Login, describe_validation_error
from hub.security import client_address

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 16 * 1024

ACCOUNTS: web.AppKey[Accounts] = web.AppKey("accounts", Accounts)
SERVICE: web.AppKey[Delivery] = web.AppKey("service", Delivery)
LOGIN_LIMITS: web.AppKey[LoginLimits] = web.AppKey("login_limits", LoginLimits)
STARTED: web.AppKey[float] = web.AppKey("started", float)


async def read_body(request: web.Request) -> bytes:
    """The request body, refused with `too_large` past MAX_JSON_BYTES (without reading more than that)
    and with `timeout` past `http_body_timeout`."""
    timeout = request.app[SERVICE].config.http_body_timeout
    return await read_bounded(request, MAX_JSON_BYTES, timeout, request.app[BODY_READS])


async def read_json(request: web.Request) -> Any:
    expect_json(request)
    body = await read_body(request)
    try:
        return jsonwire.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        raise InvalidPayload("the request body is not valid JSON") from None
    except RecursionError:
        raise InvalidPayload("the request body is nested too deeply") from None


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the token as 'Authorization: Bearer TOKEN'")
    return token.strip()


async def login(request: web.Request) -> web.Response:
    data = await read_json(request)
    if not isinstance(data, dict):
        raise InvalidPayload("expected a JSON object {username, password, device}")
    try:
        payload = Login.model_validate(data)
    except ValidationError as exc:
        _, message = describe_validation_error(exc)
        raise InvalidPayload(message) from None
    limits = request.app[LOGIN_LIMITS]
    address = client_address(request.remote, request.headers.get("X-Forwarded-For"), limits.trusted_proxies)
    await limits.check(payload.username, address)
    issued = await request.app[ACCOUNTS].login(payload.username, payload.password, payload.device)
    log.info("%s signed in a device (%s, token %d)", issued.user.name, payload.device or "device", issued.info.id)
    return web.json_response(
        {
            "token": issued.secret,
            "token_id": issued.info.id,
            "user": {"name": issued.user.name, "admin": issued.user.admin},
        }
    )


async def logout(request: web.Request) -> web.Response:
    token, user = await request.app[ACCOUNTS].token_owner(bearer_token(request))
    await request.app[ACCOUNTS].store.revoke_token(token.id)
    await request.app[SERVICE].maintenance.kick_token(token.id)
    log.info("%s signed out a device (token %d)", user.name, token.id)
    return web.json_response({"ok": True})


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


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/login", json_errors(login))
    app.router.add_post("/api/logout", json_errors(logout))
    app.router.add_get("/api/health", json_errors(health))
