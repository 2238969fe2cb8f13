"""Errors of the HTTP endpoints in one JSON shape, `{"error": {"code", "message"}}`, with the matching
HTTP status, like the Socket.IO acks."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from hub.app_keys import GATE, GUARD
from hub.errors import RateLimited, RequestError, Unavailable
from hub.http.bodies import token_owner
from hub.http.body_reads import close_unless_read
from hub.protocol import ErrorCode

log = logging.getLogger(__name__)


def error_response(exc: RequestError) -> web.Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return web.json_response({"error": exc.body()}, status=exc.http_status, headers=headers)


class Refusal(web.HTTPError):
    """A RequestError as an exception aiohttp answers with (where a handler cannot return a response,
    e.g. in python-engineio's request translation): the API's JSON body and status. `close`: the
    connection closes after the answer (a body left unread, a client not to keep)."""

    def __init__(self, exc: RequestError, *, close: bool = False) -> None:
        self.status_code = exc.http_status
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        super().__init__(text=json.dumps({"error": exc.body()}), content_type="application/json", headers=headers)
        if close:
            self.force_close()


RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_errors(handler: RouteHandler) -> RouteHandler:
    """`handler` behind the checks every HTTP route makes (the `Host` and `Origin` of the request,
    see hub/http/web_guard.py), answering errors in the API's JSON shape, and closing the connection of
    a request whose body was not read to its end. A wrapper per route, not a middleware: a
    middleware's frame would stay alive under every websocket for as long as it is open (memory
    per idle connection)."""

    @functools.wraps(handler)
    async def answer(request: web.Request) -> web.StreamResponse:
        guard = request.app.get(GUARD)
        try:
            if guard is not None:
                guard.check_host(request.headers)
                guard.check_origin(request)
            response = await _reserve_refusal(request) or await handler(request)
        except RequestError as exc:
            response = error_response(exc)
        except web.HTTPException as exc:
            response = _aiohttp_refusal(request, exc)
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            message = "the hub could not handle this request; it has been logged"
            body = {"error": {"code": ErrorCode.INTERNAL.value, "message": message}}
            response = web.json_response(body, status=500)
        close_unless_read(request, response)
        if guard is not None and not response.prepared:
            response.headers.update(guard.cors_headers(request))
        return response

    return answer


async def _reserve_refusal(request: web.Request) -> web.Response | None:
    """A connection taken on reserve (hub/transport/admission.py) serves only /api/health and admins: the
    answer to anyone else, which closes the connection."""
    gate = request.app.get(GATE)
    if gate is None or not gate.on_reserve(request.protocol) or request.path == "/api/health":
        return None
    try:
        _, user = await token_owner(request)
    except RequestError:
        user = None
    if user is not None and user.admin:
        return None
    response = error_response(Unavailable("the hub is serving as many connections as it can: try again later"))
    response.force_close()
    return response


def _aiohttp_refusal(request: web.Request, exc: web.HTTPException) -> web.StreamResponse:
    """aiohttp's own refusals (no such route, wrong method, body too large) in the API's JSON shape."""
    code = _HTTP_CODES.get(exc.status)
    if code is None:
        raise exc
    message = f"no such endpoint: {request.method} {request.path}" if exc.status in (404, 405) else exc.reason
    allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    body = {"error": {"code": code.value, "message": message}}
    return web.json_response(body, status=exc.status, headers=allow)


@json_errors
async def no_such_endpoint(request: web.Request) -> web.StreamResponse:
    """What no other route takes: 405 with `Allow` when the path exists for other methods, else 404.
    An `OPTIONS` to an endpoint of the HTTP API is a browser's CORS preflight (hub/http/web_guard.py)."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            _, methods = await resource.resolve(request)
            allowed |= methods
    if allowed and request.method == "OPTIONS" and request.path.startswith("/api/"):
        return request.app[GUARD].preflight(request)
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()


def add_fallback(app: web.Application) -> None:
    r"""The route of last resort (add it after every other): unknown paths and methods get JSON errors.
    `[\s\S]*`, not `.*`: a path may hold a newline (`%0A`), which `.` does not match."""
    app.router.add_route("*", r"/{path:[\s\S]*}", no_such_endpoint)


_HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.NOT_FOUND, 413: ErrorCode.TOO_LARGE}
