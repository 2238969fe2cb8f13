"""HTTP: sign-in returns a device token, sign-out revokes it, health answers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub import __version__
from hub.config import HubConfig
from hub.errors import NotFound
from hub.server import RunningHub
from tests.support.hubs import Hub
from tests.support.servers import PostgresServer
from tests.support.waiting import WAIT


async def post(hub: Hub, path: str, body: Any = None, *, token: str | None = None, raw: bytes | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
    async with aiohttp.ClientSession() as http:
        kwargs: dict[str, Any] = {"data": raw} if raw is not None else {"json": body}
        async with http.post(hub.url + path, headers=headers, **kwargs) as response:
            return response.status, await response.json(), response.headers


async def test_login_returns_a_device_token_that_connects(hub: Hub) -> None:
    await hub.user("alice", password="s3cret pass")

    status, body, _ = await post(
        hub, "/api/login", {"username": "alice", "password": "s3cret pass", "device": "laptop"}
    )

    assert status == 200
    assert body["user"] == {"name": "alice", "admin": False}
    assert body["token"].startswith("lnt_") and len(body["token"]) > 40
    client = await hub.client(body["token"])
    assert (await client.call("list_online"))["online"] == ["alice"]
    tokens = await hub.store.list_tokens((await hub.accounts.user("alice")).id)
    assert [t.label for t in tokens] == ["test", "laptop"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"username": "alice", "password": "wrong"}, 401, "unauthorized"),
        ({"username": "nobody", "password": "whatever"}, 401, "unauthorized"),
        ({"username": "alice"}, 400, "invalid_payload"),
        ({"username": 5, "password": "x"}, 400, "invalid_payload"),
        (["alice", "pw"], 400, "invalid_payload"),
    ],
)
async def test_login_refusals(hub: Hub, body: Any, status: int, code: str) -> None:
    await hub.user("alice", password="right")

    got_status, got, _ = await post(hub, "/api/login", body)

    assert (got_status, got["error"]["code"]) == (status, code)


async def test_a_token_only_user_cannot_sign_in_with_any_password(hub: Hub) -> None:
    user, generated = await hub.accounts.add_user("ci", None, admin=False, token_only=True)
    assert generated is None and not user.has_password

    for password in ("x", "None", "ci"):
        status, got, _ = await post(hub, "/api/login", {"username": "ci", "password": password})
        assert (status, got["error"]["code"]) == (401, "unauthorized")
    token = (await hub.accounts.issue_token("ci", "script")).secret
    client = await hub.client(token)
    assert (await client.call("list_online"))["online"] == ["ci"]


async def test_a_one_time_password_signs_in_once_then_says_it_was_used(hub: Hub) -> None:
    await hub.accounts.add_user("bob", None, admin=False, token_only=True)
    password = await hub.accounts.one_time_password("bob")

    first, body, _ = await post(hub, "/api/login", {"username": "bob", "password": password, "device": "laptop"})
    again, refused, _ = await post(hub, "/api/login", {"username": "bob", "password": password, "device": "phone"})
    wrong, guessed, _ = await post(hub, "/api/login", {"username": "bob", "password": "not it"})

    assert first == 200
    assert (again, refused["error"]["code"]) == (401, "password_expired")
    assert "already used" in refused["error"]["message"] and "admin" in refused["error"]["message"]
    assert (wrong, guessed["error"]["code"]) == (401, "unauthorized")  # a wrong guess learns nothing more
    client = await hub.client(body["token"])  # the device that used it stays signed in
    assert (await client.call("list_online"))["online"] == ["bob"]

    # The admin gives a new one: it works once too; a password set by hand works every time.
    fresh = await hub.accounts.one_time_password("bob")
    assert (await post(hub, "/api/login", {"username": "bob", "password": fresh}))[0] == 200
    await hub.accounts.set_password("bob", "for good")
    statuses = [(await post(hub, "/api/login", {"username": "bob", "password": "for good"}))[0] for _ in range(2)]
    assert statuses == [200, 200]


async def test_a_one_time_password_for_nobody_is_not_found(hub: Hub) -> None:
    with pytest.raises(NotFound):
        await hub.accounts.one_time_password("nobody")


async def test_login_rejects_bodies_that_are_not_json_or_too_large(hub: Hub) -> None:
    status, body, _ = await post(hub, "/api/login", raw=b"{nope")
    assert (status, body["error"]["code"]) == (400, "invalid_payload")
    status, body, _ = await post(hub, "/api/login", raw=b"x" * 70_000)
    assert status == 413 and body["error"]["code"] == "too_large"


async def test_password_guessing_is_rate_limited(hub: Hub) -> None:
    await hub.user("alice", password="right")
    hub.login_buckets._clock = lambda: 1000.0  # nothing refills while ten passwords are hashed

    statuses = [(await post(hub, "/api/login", {"username": "alice", "password": f"guess{i}"}))[0] for i in range(10)]

    assert statuses == [401] * 10
    # The very next try, even with the right password, waits: the burst of 10 is spent and one more
    # try comes back only after 5 s.
    status, body, headers = await post(hub, "/api/login", {"username": "alice", "password": "right"})
    assert status == 429 and body["error"]["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1


async def test_logout_revokes_the_token_and_disconnects_its_session(hub: Hub) -> None:
    await hub.user("alice", password="pw")
    _, body, _ = await post(hub, "/api/login", {"username": "alice", "password": "pw"})
    client = await hub.client(body["token"])

    status, answer, _ = await post(hub, "/api/logout", token=body["token"])

    assert (status, answer) == (200, {"ok": True})
    assert (await client.next("error"))["code"] == "unauthorized"
    await client.disconnected.wait()
    status, answer, _ = await post(hub, "/api/logout", token=body["token"])
    assert status == 401


async def test_logout_needs_a_bearer_token(hub: Hub) -> None:
    status, body, _ = await post(hub, "/api/logout")
    assert status == 401 and "Bearer" in body["error"]["message"]


async def health(hub: Hub) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(hub.url + "/api/health") as response:
        return response.status, await response.json()


async def test_health(hub: Hub) -> None:
    status, body = await health(hub)
    assert status == 200
    assert (body["status"], body["store"], body["version"]) == ("ok", "ok", __version__)
    assert body["uptime_seconds"] >= 0 and body["connections"] == 0

    await hub.client(await hub.user("alice"))
    await hub.client(await hub.token("alice"))
    _, later = await health(hub)
    assert later["connections"] == 2 and later["uptime_seconds"] >= body["uptime_seconds"]


async def test_health_reports_a_store_it_cannot_reach(tmp_path: Path, own_postgres: PostgresServer) -> None:
    # A PostgreSQL of this test's own (whatever --store says), so it can be stopped.
    running = RunningHub(HubConfig(host="127.0.0.1", port=0, data_dir=tmp_path, database=own_postgres.dsn()))
    hub = Hub(url=await running.start(), config=running.config, running=running)
    try:
        assert (await health(hub))[0] == 200

        await asyncio.to_thread(own_postgres.stop)
        status, body = await health(hub)
        assert (status, body["status"], body["store"]) == (503, "degraded", "unavailable")

        await asyncio.to_thread(own_postgres.start)

        async def back() -> None:  # nothing tells a client when the hub's pool has reconnected
            while (await health(hub))[0] != 200:
                await asyncio.sleep(0.1)

        await asyncio.wait_for(back(), WAIT * 3)
    finally:
        await running.stop()
