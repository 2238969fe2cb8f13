"""The caller's own notifications over HTTP.

GET /api/notifications?since=ID&limit=N    the inbox, oldest first (a device token only)
GET /api/notifications/{id}/responses      the answers to a notification the caller sent (its sender's
                                           device or send-only token)
"""

from __future__ import annotations

from aiohttp import web

from hub.app_keys import SERVICE
from hub.delivery.sessions import Actor
from hub.errors import Forbidden
from hub.http.bodies import token_owner
from hub.protocol import HistoryQuery, Kind, NotificationRef
from hub.store import TokenKind
from hub.store.base import CONTROL
from hub.validation import validate

#: What history leaves out: answers (the `response` event) and control rows (a retraction's
#: notification is gone from history already).
LISTED_ELSEWHERE = frozenset({Kind.RESPONSE, *CONTROL})


async def history(request: web.Request) -> web.Response:
    token, user = await token_owner(request)
    if token.kind is not TokenKind.DEVICE:
        raise Forbidden("a send-only token cannot read notifications")
    query = validate(HistoryQuery, dict(request.query))
    store = request.app[SERVICE].store
    page = await store.history(user.id, query.since, query.limit + 1)
    more = len(page) > query.limit
    page = page[: query.limit]
    return web.json_response(
        {
            # Answers (`response`) are for the Socket.IO event; the inbox lists what was sent.
            "notifications": [note.wire() for note in page if note.kind not in LISTED_ELSEWHERE],
            "next_since": page[-1].id if page else query.since,
            "more": more,
        }
    )


async def responses(request: web.Request) -> web.Response:
    _, user = await token_owner(request)
    ref = validate(NotificationRef, {"id": request.match_info["id"]})
    answers = await request.app[SERVICE].answers.answers_to(Actor(user=user), ref.id)
    return web.json_response({"responses": answers})
