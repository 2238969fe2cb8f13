"""`GET /api/notifications?since=ID&limit=N`: the caller's own inbox, oldest first (a device token only)."""

from __future__ import annotations

from aiohttp import web

from hub.app_keys import SERVICE
from hub.errors import Forbidden
from hub.http.bodies import token_owner
from hub.protocol import HistoryQuery
from hub.store import TokenKind
from hub.validation import validate


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
            "notifications": [note.wire() for note in page],
            "next_since": page[-1].id if page else query.since,
            "more": more,
        }
    )
