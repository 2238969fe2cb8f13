"""The HTTP send API: scripts, CI jobs and cron send notifications with a bearer token.

    POST /api/notifications            JSON {to | room | everyone, type, title, message, priority, click,
                                       actions, format} -> 201 {id, recipients}
    POST /api/notify/{user}            body = the message text; X-Type / X-Title headers or ?type= / ?title=;
                                       ntfy's X-Priority, X-Click, X-Actions, X-Markdown (or without `X-`,
                                       or ?priority= ...); X-Key (or ?key=) gives it a key; X-Receipt: yes
                                       (or ?receipt=yes) on any of them asks for receipts
    POST /api/notify/room/{room}       the same, to a room
    DELETE /api/notifications/keys/{key}?to=USER | room=ROOM | everyone=true
                                       retract what the caller sent with that key -> 200 {id, retracts,
                                       recipients}

Every send goes through the same `Sender` as a Socket.IO client (one code path for
validation, permissions, rate limits and storing), with an `Actor` built from the token's user.
A device token or a send-only token may send (the inbox, hub/http/inbox.py, takes a device token).
"""

from __future__ import annotations

import logging
from typing import Any, Final, TypeVar

from aiohttp import web
from pydantic import BaseModel

from hub.app_keys import SERVICE
from hub.delivery.sessions import Actor
from hub.edits import HttpRetract
from hub.http.bodies import Owner, read_json, read_text, token_owner
from hub.http.scheduled import schedule_options, submit_scheduled
from hub.ntfy_headers import NtfyHeaders
from hub.protocol import (
    HttpNotification,
    RoomMessage,
    SendNotification,
)
from hub.readstate import ReceiptHeader
from hub.schedule import wants_schedule
from hub.validation import validate

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


async def _submit(request: web.Request, owner: Owner, payload: HttpNotification) -> web.Response:
    token, user = owner
    asked = _option(request, "receipt")
    if asked is not None:
        payload = payload.model_copy(update={"receipt": validate(ReceiptHeader, {"receipt": asked}).receipt})
    actor = Actor(user=user)
    sender = request.app[SERVICE].sender
    send = payload.target()
    if isinstance(send, SendNotification):
        target = f"to {send.to}"
    elif isinstance(send, RoomMessage):
        target = f"to room {send.room}"
    else:
        target = "to everyone"
    stored = await sender.send(actor, send)
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
    owner = await token_owner(request)  # a caller without a valid token learns nothing of the body's faults
    data = await read_json(request)
    if isinstance(data, dict):  # the schedule's headers, as on the text sends; the body's fields win
        data = {**schedule_options(request), **data}
    if wants_schedule(data):
        return await submit_scheduled(request, owner, data)
    return await _submit(request, owner, validate(HttpNotification, data))


def _option(request: web.Request, name: str) -> str | None:
    return request.headers.get(f"X-{name.title()}", request.query.get(name))


#: ntfy's headers for the rich fields (`hub.ntfy_headers.NtfyHeaders`), each also taken without `X-`
#: (`Priority: urgent`) and as a query parameter (`?priority=urgent`), as ntfy does.
NTFY_HEADERS: Final = ("priority", "click", "actions", "markdown")


def _ntfy_fields(request: web.Request) -> dict[str, Any]:
    """The rich fields from ntfy's headers, as `HttpNotification` takes them; only those given."""
    given: dict[str, str] = {}
    for name in NTFY_HEADERS:
        value = request.headers.get(f"X-{name.title()}", request.headers.get(name.title(), request.query.get(name)))
        if value is not None:
            given[name] = value
    if not given:
        return {}
    rich = validate(NtfyHeaders, given).rich()
    return rich.model_dump(mode="json")


async def _notify_text(request: web.Request, target: dict[str, Any]) -> web.Response:
    owner = await token_owner(request)
    data: dict[str, Any] = {**target, "message": await read_text(request)}
    for name in ("type", "title", "key"):
        value = _option(request, name)
        if value is None and name == "title":
            value = request.headers.get("Title")  # ntfy's name for it
        if value is not None:
            data[name] = value
    data.update(_ntfy_fields(request))
    data.update(schedule_options(request))
    if wants_schedule(data):
        return await submit_scheduled(request, owner, data)
    return await _submit(request, owner, validate(HttpNotification, data))


async def notify_user(request: web.Request) -> web.Response:
    return await _notify_text(request, {"to": request.match_info["user"]})


async def notify_room(request: web.Request) -> web.Response:
    return await _notify_text(request, {"room": request.match_info["room"]})


async def retract_key(request: web.Request) -> web.Response:
    _, user = await token_owner(request)
    payload = validate(HttpRetract, {**request.query, "key": request.match_info["key"]})
    done = await request.app[SERVICE].edits.retract(Actor(user=user), payload)
    log.info("%s retracted key %r to %s over HTTP: %s", user.name, payload.key, payload.where(), done["retracts"])
    return web.json_response({k: v for k, v in done.items() if k != "ok"})
