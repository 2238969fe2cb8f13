"""Sign-in (a device token for a user name and password) and sign-out (the token revoked)."""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import ValidationError

from hub.errors import InvalidPayload
from hub.http.bodies import ACCOUNTS, SERVICE, bearer_token, read_json
from hub.protocol import Login, describe_validation_error
from hub.security import client_address

log = logging.getLogger(__name__)


async def login(request: web.Request) -> web.Response:
    data = await read_json(request)
    if not isinstance(data, dict):
        raise InvalidPayload("expected a JSON object {username, password, device}")
    try:
        payload = Login.model_validate(data)
    except ValidationError as exc:
        _, message = describe_validation_error(exc)
        raise InvalidPayload(message) from None
    service = request.app[SERVICE]
    address = client_address(request.remote, request.headers.get("X-Forwarded-For"), service.trusted_proxies)
    await service.check_login(payload.username, address)
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
    await request.app[SERVICE].kick_token(token.id)
    log.info("%s signed out a device (token %d)", user.name, token.id)
    return web.json_response({"ok": True})
