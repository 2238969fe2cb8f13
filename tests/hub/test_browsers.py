"""What a browser page can do with the hub: JSON endpoints take only JSON (a page elsewhere cannot
post a form or text/plain without asking first), CORS preflights from configured origins are
answered, requests by a host name the hub does not know (DNS rebinding) are refused, and a
throttled sign-in says what was throttled."""

from __future__ import annotations

import json
import socket
from typing import Any

import aiohttp
import pytest

from tests.support.hubs import Hub
from tests.support.raw_http import RawHttp, request

APP = "http://app.lan:3000"


async def send(
    hub: Hub, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, hub.url + path, data=body, headers=headers or {}, skip_auto_headers=["Content-Type"]) as r,
    ):
        text = await r.text()
        return r.status, dict(r.headers), json.loads(text) if text.startswith("{") else text


def login_body(password: str = "pw") -> bytes:
    return json.dumps({"username": "alice", "password": password}).encode()


# --------------------------------------------------------------------------- content types


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
async def test_a_sign_in_that_is_not_sent_as_json_is_refused_before_any_password_check(
    hub: Hub, content_type: str | None
) -> None:
    await hub.user("alice", password="pw")
    headers = {"Content-Type": content_type} if content_type else {}
    for _ in range(12):  # more than the sign-in budget: none of these counts as an attempt
        status, _, body = await send(hub, "POST", "/api/login", body=login_body("wrong"), headers=headers)
        assert (status, body["error"]["code"]) == (415, "unsupported_media_type")
    status, _, body = await send(
        hub, "POST", "/api/login", body=login_body(), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert status == 200 and body["token"].startswith("lnt_")


async def test_json_sends_need_json_but_the_text_send_takes_text(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    auth = {"Authorization": f"Bearer {token}"}
    body = json.dumps({"to": "bob", "message": "hi"}).encode()
    status, _, answer = await send(
        hub, "POST", "/api/notifications", body=body, headers={**auth, "Content-Type": "text/plain"}
    )
    assert (status, answer["error"]["code"]) == (415, "unsupported_media_type")
    status, _, _ = await send(
        hub, "POST", "/api/notifications", body=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert status == 201
    # The README's curl example: a plain-text body (curl -d sends it as a form) to /api/notify/USER.
    form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
    status, _, _ = await send(hub, "POST", "/api/notify/bob", body=b"Backup failed on nas1", headers=form)
    assert status == 201


# --------------------------------------------------------------------------- CORS


async def test_a_preflight_from_an_allowed_origin_is_answered_and_the_sign_in_readable(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(cors_origins=(APP,))
    await hub.user("alice", password="pw")
    preflight = {
        "Origin": APP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
    }
    status, headers, _ = await send(hub, "OPTIONS", "/api/login", headers=preflight)
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == APP
    assert "POST" in headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "authorization"} <= allowed
    assert {"x-priority", "x-click", "x-actions", "x-markdown"} <= allowed  # ntfy's headers, for any send

    json_from_app = {"Origin": APP, "Content-Type": "application/json"}
    status, headers, body = await send(hub, "POST", "/api/login", body=login_body(), headers=json_from_app)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == APP and body["token"]
    assert headers["Access-Control-Expose-Headers"] == "Retry-After"
    status, headers, _ = await send(hub, "POST", "/api/login", body=login_body("wrong"), headers=json_from_app)
    assert status == 401 and headers["Access-Control-Allow-Origin"] == APP, "a refusal is readable by the app too"


@pytest.mark.parametrize("configured", [(), (APP,)], ids=["no origins configured", "another origin configured"])
async def test_a_page_from_another_origin_gets_no_preflight_and_is_refused(
    hub_factory: Any, configured: tuple[str, ...]
) -> None:
    hub: Hub = await hub_factory(cors_origins=configured)
    token = await hub.user("alice")
    evil = "http://evil.example"
    status, headers, body = await send(
        hub, "OPTIONS", "/api/notifications", headers={"Origin": evil, "Access-Control-Request-Method": "POST"}
    )
    assert (status, body["error"]["code"]) == (403, "forbidden") and "Access-Control-Allow-Origin" not in headers
    # A request sent anyway (a simple request needs no preflight) is refused too.
    text = {"Origin": evil, "Authorization": f"Bearer {token}", "Content-Type": "text/plain"}
    status, _, body = await send(hub, "POST", "/api/notify/alice", body=b"from a page elsewhere", headers=text)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    # The hub's own pages are the same origin: always served.
    status, _, _ = await send(hub, "GET", "/api/health", headers={"Origin": hub.url})
    assert status == 200
    port = hub.url.rsplit(":", 1)[1]
    same = {"Host": f"localhost:{port}", "Origin": f"http://LocalHost:{port}"}
    status, _, _ = await send(hub, "GET", "/api/health", headers=same)
    assert status == 200, "an origin's host name is not case-sensitive"


# --------------------------------------------------------------------------- allowed hosts (DNS rebinding)


async def answer_for_host(hub: Hub, host: str, path: str = "/api/health") -> int:
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(request("GET", path, host=host))
        return (await raw.answer()).status
    finally:
        await raw.close()


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/openapi.json", "/metrics", "/api/nope", "/socket.io/?EIO=4&transport=polling"]
)
async def test_a_host_name_the_hub_does_not_know_is_refused_on_every_route(hub: Hub, path: str) -> None:
    port = hub.url.rsplit(":", 1)[1]
    assert await answer_for_host(hub, f"rebound.evil.example:{port}", path) == 403
    assert await answer_for_host(hub, f"127.0.0.1:{port}", path) in (200, 404)


async def test_a_websocket_by_a_rebound_name_is_refused(hub: Hub) -> None:
    port = hub.url.rsplit(":", 1)[1]
    url = hub.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url, headers={"Host": f"rebound.evil.example:{port}"})
    assert refused.value.status == 403


async def test_ip_addresses_localhost_and_this_machines_names_are_allowed_by_default(hub: Hub) -> None:
    port = hub.url.rsplit(":", 1)[1]
    name = socket.gethostname()
    for host in (
        f"127.0.0.1:{port}",
        f"[::1]:{port}",
        "192.168.1.20",
        f"localhost:{port}",
        "LOCALHOST.",
        name,
        f"{name.split('.')[0]}.local:{port}",
    ):
        assert await answer_for_host(hub, host) == 200, host


@pytest.mark.parametrize(
    ("allowed", "host", "status"),
    [
        (("hub.lan",), "hub.lan:8765", 200),
        (("hub.lan",), "other.lan", 403),
        ((".corp.lan",), "notify.corp.lan", 200),
        ((".corp.lan",), "corp.lan.evil.example", 403),
        (("*",), "anything.example", 200),
    ],
)
async def test_allowed_hosts_are_configurable(
    hub_factory: Any, allowed: tuple[str, ...], host: str, status: int
) -> None:
    hub: Hub = await hub_factory(allowed_hosts=allowed)
    assert await answer_for_host(hub, host) == status


# --------------------------------------------------------------------------- throttled sign-in


async def test_a_throttled_sign_in_speaks_of_sign_in_attempts(hub: Hub) -> None:
    await hub.user("alice", password="right")
    hub.login_buckets._clock = lambda: 1000.0  # no attempt comes back while passwords are checked
    json_type = {"Content-Type": "application/json"}
    for i in range(10):
        status, _, _ = await send(hub, "POST", "/api/login", body=login_body(f"guess{i}"), headers=json_type)
        assert status == 401
    status, headers, body = await send(hub, "POST", "/api/login", body=login_body("right"), headers=json_type)
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    assert "sign-in attempts" in body["error"]["message"] and "notification" not in body["error"]["message"]
    assert int(headers["Retry-After"]) >= 1
