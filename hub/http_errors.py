"""Errors of the HTTP endpoints in one JSON shape, `{"error": {"code", "message"}}`, with the matching
HTTP status, like the Socket.IO acks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from hub.errors import HubError, RateLimited
from hub.protocol import ErrorCode

log = logging.getLogger(__name__)


def error_response(exc: HubError) -> web.Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return web.json_response({"error": exc.body()}, status=exc.http_status, headers=headers)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_errors(handler: Handler) -> Handler:
    """`handler`, answering errors in the API's JSON shape. A wrapper per route, not a middleware:
    a middleware's frame would stay alive under every websocket for as long as it is open (memory
    per idle connection, issue 8)."""

    @functools.wraps(handler)
    async def answer(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except HubError as exc:
            return error_response(exc)
        except web.HTTPException as exc:
            # aiohttp's own refusals (no such route, wrong method, body too large) in the same JSON shape.
            code = _HTTP_CODES.get(exc.status)
            if code is None:
                raise
            message = f"no such endpoint: {request.method} {request.path}" if exc.status in (404, 405) else exc.reason
            allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
            body = {"error": {"code": code.value, "message": message}}
            return web.json_response(body, status=exc.status, headers=allow)
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            message = "the hub could not handle this request; it has been logged"
            return web.json_response({"error": {"code": ErrorCode.INTERNAL.value, "message": message}}, status=500)

    return answer


@json_errors
async def no_such_endpoint(request: web.Request) -> web.StreamResponse:
    """What no other route takes: 405 with `Allow` when the path exists for other methods, else 404."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            _, methods = await resource.resolve(request)
            allowed |= methods
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()


def add_fallback(app: web.Application) -> None:
    r"""The route of last resort (add it after every other): unknown paths and methods get JSON errors.
    `[\s\S]*`, not `.*`: a path may hold a newline (`%0A`), which `.` does not match."""
    app.router.add_route("*", r"/{path:[\s\S]*}", no_such_endpoint)


_HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.NOT_FOUND, 413: ErrorCode.TOO_LARGE}
