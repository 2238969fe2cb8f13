"""The HTTP send API: scripts, CI jobs and cron send notifications with a bearer token.

    POST /api/notifications            JSON {to | room | everyone, type, title, message} -> 201 {id, recipients}
    POST /api/notify/{user}            body = the message text; X-Type / X-Title headers or ?type= / ?title=
    POST /api/notify/room/{room}       the same, to a room
    GET  /api/notifications            ?since=ID&limit=N: the caller's own inbox, oldest first

Every send goes through the same `Sender` as a Socket.IO client (one code path for
validation, permissions, rate limits and storing), with an `Actor` built from the token's user.
A device token or a send-only token may send; only a device token may read the inbox.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from hub.delivery.sessions import Actor
from hub.errors import Forbidden, InvalidPayload, TooLarge
from hub.http_api import ACCOUNTS, SERVICE, bearer_token, read_body, read_json
from hub.http_errors import json_errors
from hub.protocol import (
    Broadcast,
    ErrorCode,
    HistoryQuery,
    HttpNotification,
    RoomMessage,
    SendNotification,
    describe_validation_error,
)
from hub.store import TokenInfo, TokenKind, User

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any) -> M:
    """Validate like the Socket.IO layer does: the same models, codes and messages."""
    if not isinstance(data, dict):
        raise InvalidPayload("expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        code, message = describe_validation_error(exc)
        raise (TooLarge if code is ErrorCode.TOO_LARGE else InvalidPayload)(message) from None


async def authenticate(request: web.Request) -> tuple[TokenInfo, User]:
    """The token's record and user; 401 when missing, unknown or revoked."""
    return await request.app[ACCOUNTS].token_owner(bearer_token(request))


async def send(request: web.Request, payload: HttpNotification) -> web.Response:
    token, user = await authenticate(request)
    actor = Actor(user=user)
    sender = request.app[SERVICE].sender
    fields: dict[str, Any] = {"message": payload.message, "title": payload.title}
    if payload.type is not None:
        fields["type"] = payload.type
    if payload.to is not None:
        stored = await sender.send(actor, SendNotification(to=payload.to, **fields))
        target = f"to {payload.to}"
    elif payload.room is not None:
        stored = await sender.send(actor, RoomMessage(room=payload.room, **fields))
        target = f"to room {payload.room}"
    else:
        stored = await sender.send(actor, Broadcast(**fields))
        target = "to everyone"
    log.info(
        "%s sent notification %d %s over HTTP (token %d, recipients: %d)",
        user.name,
        stored.notification.id,
        target,
        token.id,
        len(stored.recipients),
    )
    return web.json_response({"id": stored.notification.id, "recipients": len(stored.recipients)}, status=201)


async def post_notification(request: web.Request) -> web.Response:
    return await send(request, validate(HttpNotification, await read_json(request)))


async def read_text(request: web.Request) -> str:
    body = await read_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidPayload("the request body is not UTF-8 text") from None
    return text.rstrip("\r\n")  # `echo text | curl --data-binary @-` ends with a line break


def _option(request: web.Request, name: str) -> str | None:
    return request.headers.get(f"X-{name.title()}", request.query.get(name))


async def _notify_text(request: web.Request, target: dict[str, Any]) -> web.Response:
    data: dict[str, Any] = {**target, "message": await read_text(request)}
    for name in ("type", "title"):
        value = _option(request, name)
        if value is not None:
            data[name] = value
    return await send(request, validate(HttpNotification, data))


async def notify_user(request: web.Request) -> web.Response:
    return await _notify_text(request, {"to": request.match_info["user"]})


async def notify_room(request: web.Request) -> web.Response:
    return await _notify_text(request, {"room": request.match_info["room"]})


async def history(request: web.Request) -> web.Response:
    token, user = await authenticate(request)
    if token.kind is not TokenKind.DEVICE:
        raise Forbidden("a send-only token cannot read notifications")
    query = validate(HistoryQuery, dict(request.query))
    store = request.app[SERVICE].store
    page = await store.history(user.id, query.since, query.limit + 1)
    more = len(page) > query.limit
    page = page[: query.limit]
    return web.json_response(
        {
            "notifications": [note.wire() for note in page],
            "next_since": page[-1].id if page else query.since,
            "more": more,
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/notifications", json_errors(post_notification))
    app.router.add_get("/api/notifications", json_errors(history), allow_head=False)
    app.router.add_post("/api/notify/room/{room}", json_errors(notify_room))
    app.router.add_post("/api/notify/{user}", json_errors(notify_user))
