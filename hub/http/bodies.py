"""What the HTTP endpoints read from a request: its body (bounded in size and time) as JSON or text,
its bearer token and the token's owner, and its query."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hub import jsonwire
from hub.app_keys import ACCOUNTS, BODY_READS, SERVICE
from hub.errors import InvalidPayload, Unauthorized
from hub.http.body_reads import expect_json, read_bounded
from hub.store import TokenInfo, User

MAX_JSON_BYTES = 16 * 1024


async def read_body(request: web.Request) -> bytes:
    """The request body, refused with `too_large` past MAX_JSON_BYTES (without reading more than that)
    and with `timeout` past `http_body_timeout`."""
    timeout = request.app[SERVICE].config.http_body_timeout
    return await read_bounded(request, MAX_JSON_BYTES, timeout, request.app[BODY_READS])


async def read_json(request: web.Request) -> Any:
    expect_json(request)
    body = await read_body(request)
    try:
        return jsonwire.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        raise InvalidPayload("the request body is not valid JSON") from None
    except RecursionError:
        raise InvalidPayload("the request body is nested too deeply") from None


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the token as 'Authorization: Bearer TOKEN'")
    return token.strip()


async def read_text(request: web.Request) -> str:
    body = await read_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidPayload("the request body is not UTF-8 text") from None
    return text.rstrip("\r\n")  # `echo text | curl --data-binary @-` ends with a line break


#: A request's bearer token's record and its user.
Owner = tuple[TokenInfo, User]


async def token_owner(request: web.Request) -> Owner:
    """The token's record and user; 401 when missing, unknown or revoked. A signed-in request whose
    query gives a parameter twice is then refused (`single_query`)."""
    owner = await request.app[ACCOUNTS].token_owner(bearer_token(request))
    single_query(request)
    return owner


def single_query(request: web.Request) -> None:
    """Refuse a query that gives a parameter more than once (`?everyone=true&everyone=false`):
    which one is meant cannot be told, and the endpoints read one value each."""
    seen: set[str] = set()
    for name, _ in request.query.items():
        if name in seen:
            shown = name if len(name) <= 40 else name[:40] + "…"
            raise InvalidPayload(f"the query parameter {shown!r} is given more than once")
        seen.add(name)
