"""Read state and receipts over HTTP.

POST /api/read                              `{ids: [..]}` or `{all: true, upto: ID}`: mark the caller's
                                            notifications read on all their devices (a device token)
GET  /api/notifications/{id}/receipts       the receipts of a notification the caller sent with
                                            `receipt: true` (its sender's device or send-only token)
"""

from __future__ import annotations

from aiohttp import web

from hub.app_keys import SERVICE
from hub.delivery.sessions import Actor
from hub.errors import Forbidden
from hub.http.bodies import read_json, token_owner
from hub.readstate import MarkRead, ReceiptsRef
from hub.store import TokenKind
from hub.validation import validate


async def mark_read(request: web.Request) -> web.Response:
    token, user = await token_owner(request)
    if token.kind is not TokenKind.DEVICE:
        raise Forbidden("a send-only token cannot mark notifications read")
    payload = validate(MarkRead, await read_json(request))
    return web.json_response(await request.app[SERVICE].reads.mark_read(Actor(user=user), payload))


async def receipts(request: web.Request) -> web.Response:
    _, user = await token_owner(request)
    ref = validate(ReceiptsRef, {"id": request.match_info["id"]})
    return web.json_response(await request.app[SERVICE].reads.receipts(Actor(user=user), ref.id))
