"""The caller's own notifications over HTTP.

GET /api/notifications?since=ID&limit=N    the inbox, oldest first (a device token only)
GET /api/notifications/{id}/responses      the answers to a notification the caller sent (its sender's
                                           device or send-only token)
"""

from __future__ import annotations

from typing import Annotated, Final

from aiohttp import web
from pydantic import Field

from hub.app_keys import SERVICE
from hub.delivery.sessions import Actor
from hub.errors import Forbidden
from hub.http.bodies import token_owner
from hub.payload import Payload
from hub.protocol import MAX_NOTIFICATION_ID
from hub.readstate import READABLE
from hub.store import TokenKind
from hub.validation import validate

#: Most notifications one `GET /api/notifications` page returns.
MAX_HISTORY_PAGE: Final = 500


class NotificationRef(Payload):
    """`GET /api/notifications/{id}/responses`: the notification's id, from the path."""

    id: Annotated[int, Field(ge=1, le=MAX_NOTIFICATION_ID)]


class HistoryQuery(Payload):
    """`GET /api/notifications?since=ID&limit=N`: the caller's own inbox after `since`, oldest first."""

    since: Annotated[int, Field(ge=0, le=MAX_NOTIFICATION_ID)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_HISTORY_PAGE)] = 100


async def history(request: web.Request) -> web.Response:
    token, user = await token_owner(request)
    if token.kind is not TokenKind.DEVICE:
        raise Forbidden("a send-only token cannot read notifications")
    query = validate(HistoryQuery, dict(request.query))
    store = request.app[SERVICE].store
    page = await store.history(user.id, query.since, query.limit + 1)
    more = len(page) > query.limit
    page = page[: query.limit]
    shown = [note for note in page if note.kind in READABLE]
    read = await store.reads.read_among(user.id, [note.id for note in shown])
    return web.json_response(
        {
            # Answers (`response`) and control rows (`retracted`, `read`, `receipt`) are for their Socket.IO
            # events; the inbox lists what was sent, each saying whether its user has read it.
            "notifications": [{**note.wire(), "read": note.id in read} for note in shown],
            "next_since": page[-1].id if page else query.since,
            "more": more,
        }
    )


async def responses(request: web.Request) -> web.Response:
    _, user = await token_owner(request)
    ref = validate(NotificationRef, {"id": request.match_info["id"]})
    answers = await request.app[SERVICE].answers.answers_to(Actor(user=user), ref.id)
    return web.json_response({"responses": answers})
