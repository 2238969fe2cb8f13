"""Secrets never reach the logs, and password guessing is rate-limited per user and per address."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from hub.accounts import Accounts
from hub.http_api import ACCOUNTS, LOGIN_LIMITS
from hub.security import redact
from hub.store import SqliteStore
from tests.conftest import WAIT, Client, Hub

PASSWORD = "Tr0ub4dor&3-horse-battery"
WRONG_PASSWORD = "wrong-Pa55word-guess-77"
BOGUS_TOKEN = "lnt_bogusbogusbogusbogusbogusbogusbogus0000"


async def post(url: str, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.post(url + path, json=body, headers=headers) as response:
        return response.status, await response.json()


async def exercise(url: str) -> list[str]:
    """Sign in, connect, send, ack, sync, fail in the usual ways, sign out; returns the secrets used."""
    status, body = await post(url, "/api/login", {"username": "alice", "password": PASSWORD, "device": "laptop"})
    assert status == 200
    token = body["token"]
    status, _ = await post(url, "/api/login", {"username": "alice", "password": WRONG_PASSWORD})
    assert status == 401
    status, _ = await post(url, "/api/login", {"username": "nobody", "password": WRONG_PASSWORD})
    assert status == 401

    client = Client(url, name="alice")
    await client.connect({"token": token, "last_id": 0})
    await client.next("welcome")
    answer = await client.call("send_notification", {"to": "alice", "message": "hello", "title": "t"})
    assert answer["ok"]
    note = await client.next("notification")
    await client.call("ack", {"id": note["id"]})
    await client.call("sync", {"since": 0})
    await client.call("send_notification", {"to": "alice", "message": "x", "token": token, "password": PASSWORD})
    for bad in ({"token": BOGUS_TOKEN}, {"token": BOGUS_TOKEN, "last_id": 0}):
        refused = Client(url)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(bad)
        await refused.close()
    status, _ = await post(url, "/api/logout", {}, token=token)
    assert status == 200
    await client.disconnected.wait()
    after = Client(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await after.connect({"token": token})  # the revoked token, tried again
    await after.close()
    await client.close()
    return [token, token.removeprefix("lnt_"), PASSWORD, WRONG_PASSWORD, BOGUS_TOKEN]


def leaks(text: str, secrets: list[str]) -> list[str]:
    return [s[:8] + "..." for s in secrets if s in text]


async def test_no_secret_in_the_logs_of_an_in_process_hub_at_debug(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    await Accounts(hub.store).add_user("alice", PASSWORD, admin=False)
    caplog.set_level(logging.DEBUG)

    secrets = await exercise(hub.url)

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert len(caplog.records) > 20, "debug logging was captured"
    assert leaks(logged, secrets) == []


async def test_no_secret_in_the_stderr_of_a_hub_process_at_debug(tmp_path: Path) -> None:
    data_dir = tmp_path / "hub"
    store = SqliteStore(data_dir / "hub.sqlite3")
    await store.open()
    await Accounts(store).add_user("alice", PASSWORD, admin=False)
    await store.close()
    log_file = tmp_path / "stderr.log"
    with log_file.open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub",
            "--data-dir",
            str(data_dir),
            "serve",
            "--port",
            "0",
            "--log-level",
            "debug",
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        try:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), WAIT * 3)
            url = line.decode().split("listening on", 1)[1].strip()
            secrets = await exercise(url)
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), WAIT * 2)
    text = log_file.read_text(errors="replace")
    assert "Received packet" in text or "received event" in text.lower(), "packet-level debug logging was on"
    assert leaks(text, secrets) == []


# --------------------------------------------------------------------------- login rate limits


class FrozenClock:
    """The login buckets' clock, held still so no token refills while a slow machine hashes passwords."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def frozen_login_clock(hub: Hub) -> FrozenClock:
    clock = FrozenClock()
    hub.running.app[LOGIN_LIMITS]._clock = clock
    return clock


async def attempts(hub: Hub, username: str, n: int, *, password: str = "guess") -> list[int]:
    out = []
    for i in range(n):
        status, _ = await post(hub.url, "/api/login", {"username": username, "password": f"{password}{i}"})
        out.append(status)
    return out


async def test_login_guessing_is_limited_per_user(hub: Hub, frozen_login_clock: FrozenClock) -> None:
    await hub.user("alice", password="right")
    await hub.user("bob", password="right")

    guesses = await attempts(hub, "alice", 12)
    status, body = await post(hub.url, "/api/login", {"username": "alice", "password": "right"})

    assert guesses[:10] == [401] * 10 and guesses[10:] == [429, 429]
    assert (status, body["error"]["code"]) == (429, "rate_limited"), "even the right password waits"
    frozen_login_clock.now += 5.0  # one attempt refilled (0.2 per second)
    status, _ = await post(hub.url, "/api/login", {"username": "alice", "password": "right"})
    assert status == 200


async def test_login_guessing_is_limited_per_address_across_user_names(
    hub: Hub, frozen_login_clock: FrozenClock
) -> None:
    await hub.user("alice", password="right")
    statuses = []
    for i in range(11):  # a different (unknown) user name each time: the address bucket still drains
        status, _ = await post(hub.url, "/api/login", {"username": f"user{i}", "password": "guess"})
        statuses.append(status)

    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    status, _ = await post(hub.url, "/api/login", {"username": "alice", "password": "right"})
    assert status == 429, "a fresh user name from the same address is limited too"


async def test_a_refused_login_costs_no_password_check(hub: Hub, frozen_login_clock: FrozenClock) -> None:
    """Once limited, the hub answers 429 before verifying: guessing gets no oracle and no CPU."""
    await hub.user("alice", password="right")
    await attempts(hub, "alice", 10)
    calls = 0
    accounts = hub.running.app[ACCOUNTS]
    original = accounts.login

    async def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return await original(*args)

    accounts.login = counting  # type: ignore[method-assign,assignment]
    assert await attempts(hub, "alice", 3) == [429, 429, 429]
    assert calls == 0


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('0{"token":"lnt_abc-DEF_123","last_id":4}', '0{"token":"[redacted]","last_id":4}'),
        ("{'token': 'plain-secret', 'x': 1}", "{'token': '[redacted]', 'x': 1}"),
        ('{"password": "p\\"w"}', '{"password": "[redacted]"}'),
        ("Bearer lnt_abc", "Bearer lnt_[redacted]"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown


async def test_guessing_with_ever_new_user_names_holds_no_memory_per_name(
    hub: Hub, frozen_login_clock: FrozenClock
) -> None:
    for i in range(60):
        status, _ = await post(hub.url, "/api/login", {"username": f"user{i}", "password": "guess"})
        assert status == (401 if i < 10 else 429)
    assert len(hub.running.app[LOGIN_LIMITS]) == 11, "the address, and the 10 names tried before it was limited"
