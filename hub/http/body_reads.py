"""HTTP request bodies, read bounded in size and in time whatever the client claims.

One reader for the HTTP API and for Engine.IO's long-polling POSTs:

- a body larger than the limit is refused as soon as its `Content-Length` says so, or as soon as
  more than the limit has arrived (chunked, or compressed), never after reading it all;
- a body that does not arrive within `http_body_timeout` is refused (a client trickling its body
  a byte at a time held the request, and its connection, for ever);
- a refused request's connection is closed, not kept alive: the rest of its body is never read
  (aiohttp would otherwise go on reading it, for up to 10 s, to reuse the connection);
- the requests still reading a body when the hub stops are cut (`BodyReads.cut`), so a slow body
  cannot make the hub wait for its shutdown timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from hub.errors import InvalidPayload, RequestTimeout, TooLarge, UnsupportedMediaType


class BodyReads:
    """The requests reading a body right now (one per app)."""

    def __init__(self) -> None:
        self._requests: dict[int, web.BaseRequest] = {}  # by id(): requests are not hashable

    @contextmanager
    def reading(self, request: web.BaseRequest) -> Iterator[None]:
        self._requests[id(request)] = request
        try:
            yield
        finally:
            self._requests.pop(id(request), None)

    def cut(self) -> int:
        """Close the connection of every request still reading its body; how many there were."""
        requests = list(self._requests.values())
        for request in requests:
            transport = request.transport
            if transport is not None:
                transport.abort()
        return len(requests)


async def read_bounded(request: web.BaseRequest, limit: int, timeout: float, reads: BodyReads) -> bytes:
    """The whole body: TooLarge past `limit` bytes, RequestTimeout past `timeout` seconds. Either
    way the response closes the connection (`close_unless_read`)."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    with reads.reading(request):
        try:
            async with asyncio.timeout(timeout):
                while chunk := await request.content.read(limit + 1 - size):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"request body is larger than {limit} bytes")
        except TimeoutError:
            raise RequestTimeout(f"the request body did not arrive within {timeout:g} s") from None
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            raise InvalidPayload("the request body ended early") from exc
    return b"".join(chunks)


def close_unless_read(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """Close the connection after `response` when the request's body was not read to its end."""
    if not request.content.is_eof():
        response.force_close()


def expect_json(request: web.BaseRequest) -> None:
    """Refuse a body that does not say it is JSON (415). A page on any site can POST text/plain or a
    form to the hub without asking first; a JSON content type makes the browser ask (a CORS
    preflight), which only `cors_origins` pass."""
    if request.content_type != "application/json":
        shown = request.headers.get("Content-Type", "none")[:100]
        raise UnsupportedMediaType(f"send the body as JSON with 'Content-Type: application/json' (got {shown!r})")
