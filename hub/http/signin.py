"""Sign-in (a device token for a user name and password) and sign-out (the token revoked)."""

from __future__ import annotations

import logging

from aiohttp import web

from hub.app_keys import ACCOUNTS, LOGIN_LIMITS, SERVICE
from hub.auth import client_address
from hub.http.bodies import bearer_token, read_json
from hub.protocol import Login
from hub.validation import validate

log = logging.getLogger(__name__)


async def login(request: web.Request) -> web.Response:
    payload = validate(
        Login, await read_json(request), shape="a JSON object {username, password, device}", oversize_is_invalid=True
    )
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
