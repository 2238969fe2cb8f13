"""Scheduled sends over HTTP.

    POST /api/notifications             with `deliver_at` or `delay` in the JSON: scheduled, 202
                                        {scheduled: true, schedule_id, deliver_at}
    POST /api/notify/{user}, .../room/{room}
                                        with `X-Delay` / `X-At` (or ntfy's `In`, `At`, `Delay`, `X-In`,
                                        or ?delay= / ?at= / ?in=), and `X-Key` to name it
    GET /api/scheduled                  the caller's pending scheduled sends, soonest first
    DELETE /api/scheduled/{key}         cancel the caller's pending ones with that key

Device and send-only tokens alike: a script that schedules may list and cancel what it scheduled.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from aiohttp import web

from hub.app_keys import SERVICE
from hub.delivery.sessions import Actor
from hub.http.bodies import Owner, token_owner
from hub.schedule import CancelScheduled, ScheduledHttp
from hub.validation import validate

log = logging.getLogger(__name__)

#: Headers (first found wins) and query parameters that schedule a text send, by the field they give.
#: `Delay` and `In` are ntfy's durations; `At` is ntfy's moment (ISO 8601 with an offset, or Unix seconds).
SCHEDULE_HEADERS: Final = {
    "delay": (("X-Delay", "X-In", "Delay", "In"), ("delay", "in")),
    "deliver_at": (("X-At", "At"), ("at", "deliver_at")),
}


def schedule_options(request: web.Request) -> dict[str, Any]:
    """`delay`, `deliver_at` and `key` as a text send's headers or query give them; only those given."""
    found: dict[str, Any] = {}
    for field, (headers, params) in SCHEDULE_HEADERS.items():
        for name in headers:
            if name in request.headers:
                found[field] = request.headers[name]
                break
        else:
            for name in params:
                if name in request.query:
                    found[field] = request.query[name]
                    break
    if found:
        key = request.headers.get("X-Key", request.query.get("key"))
        if key is not None:
            found["key"] = key
    return found


async def submit_scheduled(request: web.Request, owner: Owner, data: dict[str, Any]) -> web.Response:
    """Schedule a send given as `POST /api/notifications` takes it, for the token `owner` (its record
    and user); 202 with what the event's ack says."""
    payload = validate(ScheduledHttp, data)
    token, user = owner
    body = await request.app[SERVICE].scheduler.schedule(Actor(user=user), payload.target(), payload)
    del body["ok"]
    log.info("%s scheduled notification %d over HTTP (token %d)", user.name, body["schedule_id"], token.id)
    return web.json_response(body, status=202)


async def list_scheduled(request: web.Request) -> web.Response:
    _, user = await token_owner(request)
    return web.json_response({"scheduled": await request.app[SERVICE].scheduler.pending(Actor(user=user))})


async def cancel_scheduled(request: web.Request) -> web.Response:
    ref = validate(CancelScheduled, {"key": request.match_info["key"]})
    _, user = await token_owner(request)
    body = await request.app[SERVICE].scheduler.cancel(Actor(user=user), ref.key)
    del body["ok"]
    return web.json_response(body)
