"""An HTTP helper for the API tests that checks every answer against the OpenAPI document."""

from __future__ import annotations

import json as jsonlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import aiohttp
import jsonschema

from hub.http.openapi import document
from tests.support.hubs import Hub


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any

    @property
    def code(self) -> str | None:
        return self.body["error"]["code"] if isinstance(self.body, dict) and "error" in self.body else None


@cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    ops = []
    for template, methods in document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in methods.items():
            ops.append((pattern, method.upper(), operation))
    # More specific templates first: /api/notify/room/{room} before /api/notify/{user}.
    return sorted(ops, key=lambda op: -op[0].pattern.count("/"))


def documented(method: str, path: str) -> dict[str, Any] | None:
    for pattern, op_method, operation in _operations():
        if op_method == method and pattern.match(path):
            return operation
    return None


def check_against_document(method: str, path: str, status: int, body: Any) -> None:
    """The answer is one the OpenAPI document promises: a listed status, a body of its schema."""
    operation = documented(method, path)
    if operation is None:
        assert status in (404, 405) and body["error"]["code"] == "not_found", (method, path, status)
        return
    responses = operation["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, not in the document: {body}"
    content = responses[str(status)].get("content", {})
    if "application/json" in content:
        schema = {**content["application/json"]["schema"], "components": document()["components"]}
        jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


async def call(
    hub: Hub,
    method: str,
    path: str,
    *,
    token: str | None = None,
    json: Any = None,
    data: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    ssl: Any = True,
) -> Answer:
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    kwargs: dict[str, Any] = {"data": data} if data is not None else ({"json": json} if json is not None else {})
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, hub.url + path, headers=all_headers, params=params, ssl=ssl, **kwargs) as response,
    ):
        text = await response.text()
        is_json = response.content_type == "application/json"
        body = jsonlib.loads(text) if is_json else text
        answer = Answer(response.status, body, response.headers)
    check_against_document(method, path.split("?")[0], answer.status, answer.body)
    return answer


def app_routes(hub: Hub) -> set[tuple[str, str]]:
    routes = set()
    for route in hub.running.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter")
        # "*": the fallback that answers unknown paths and methods (hub/http/errors.py); /socket.io/ is
        # python-engineio's endpoint (the Socket.IO protocol, not this API).
        if route.method in ("HEAD", "*") or path is None or path == "/socket.io/":
            continue
        routes.add((route.method, path))
    return routes
