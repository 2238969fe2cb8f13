"""Secrets never reach the logs, and password guessing is rate-limited per user and per address."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from hub.auth import Accounts, client_address, proxy_networks
from hub.redaction import redact_secrets
from hub.store import SqliteStore
from tests.support.clients import Client
from tests.support.hubs import Hub, HubProcess

PASSWORD = "Tr0ub4dor&3-horse-battery"
WRONG_PASSWORD = "wrong-Pa55word-guess-77"
BOGUS_TOKEN = "lnt_bogusbogusbogusbogusbogusbogusbogus0000"
#: A secret pasted as a token that is not a device token, with both kinds of quotes in it: the
#: redaction used to stop at the first quote and log the rest.
ODD_SECRET = "it's my \"Pa55\" 'phrase' q7"


async def post(
    url: str, path: str, body: Any, token: str | None = None, *, source: str | None = None, **headers: str
) -> tuple[int, Any]:
    """POST a JSON body; `source` is the local address to connect from (any of 127.0.0.0/8 on Linux)."""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connector = aiohttp.TCPConnector(local_addr=(source, 0) if source else None)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        http.post(url + path, json=body, headers=headers) as response,
    ):
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
    for bad in ({"token": BOGUS_TOKEN}, {"token": BOGUS_TOKEN, "last_id": 0}, {"token": ODD_SECRET}):
        for transport in ("websocket", "polling"):  # python-engineio logs long-polling packets whole
            refused = Client(url)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await refused.connect(bad, transports=[transport])
            await refused.close()
    status, _ = await post(url, "/api/logout", {}, token=token)
    assert status == 200
    await client.disconnected.wait()
    after = Client(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await after.connect({"token": token})  # the revoked token, tried again
    await after.close()
    await client.close()
    odd = [ODD_SECRET[i:] for i in range(len(ODD_SECRET) - 6)]  # any tail of it, quotes included
    return [token, token.removeprefix("lnt_"), PASSWORD, WRONG_PASSWORD, BOGUS_TOKEN, *odd]


def leaks(text: str, secrets: list[str]) -> list[str]:
    """The secrets found in `text`, in full or as logged in a Python repr or JSON (quotes escaped)."""
    forms = {s: {s, s.replace('"', '\\"'), s.replace("'", "\\'")} for s in secrets}
    return [s[:8] + "..." for s, shown in forms.items() if any(f in text for f in shown)]


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
        hub = HubProcess(data_dir, "--log-level", "debug", stderr=stderr)
        url = await hub.start()
        try:
            secrets = await exercise(url)
        finally:
            await hub.terminate()
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
    hub.login_buckets._clock = clock
    return clock


async def attempts(
    hub: Hub, username: str, n: int, *, password: str = "guess", sources: list[str] | None = None
) -> list[int]:
    """`n` wrong passwords for `username`; from `sources` in turn when given (one address each)."""
    out = []
    for i in range(n):
        source = sources[i % len(sources)] if sources else None
        body = {"username": username, "password": f"{password}{i}"}
        status, _ = await post(hub.url, "/api/login", body, source=source)
        out.append(status)
    return out


async def test_login_guessing_is_limited_per_user_from_any_address(hub: Hub, frozen_login_clock: FrozenClock) -> None:
    await hub.user("alice", password="right")
    await hub.user("bob", password="right")
    addresses = [f"127.0.0.{i}" for i in range(2, 14)]  # a botnet: one guess per address

    guesses = await attempts(hub, "alice", 12, sources=addresses)
    status, body = await post(hub.url, "/api/login", {"username": "alice", "password": "right"}, source="127.0.0.99")

    assert guesses[:10] == [401] * 10 and guesses[10:] == [429, 429]
    assert (status, body["error"]["code"]) == (429, "rate_limited"), "even the right password waits"
    assert (await post(hub.url, "/api/login", {"username": "bob", "password": "right"}))[0] == 200
    frozen_login_clock.now += 5.0  # one attempt refilled (0.2 per second)
    status, _ = await post(hub.url, "/api/login", {"username": "alice", "password": "right"}, source="127.0.0.98")
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
    status, _ = await post(hub.url, "/api/login", {"username": "alice", "password": "right"}, source="127.0.0.2")
    assert status == 200, "another address is not"


async def test_a_refused_login_costs_no_password_check(hub: Hub, frozen_login_clock: FrozenClock) -> None:
    """Once limited, the hub answers 429 before verifying: guessing gets no oracle and no CPU."""
    await hub.user("alice", password="right")
    await attempts(hub, "alice", 10)
    calls = 0
    accounts = hub.running.accounts
    original = accounts.login

    async def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return await original(*args)

    accounts.login = counting  # type: ignore[method-assign,assignment]
    assert await attempts(hub, "alice", 3) == [429, 429, 429]
    assert calls == 0


async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    hub: Hub, frozen_login_clock: FrozenClock
) -> None:
    """A client cannot dodge the per-address limit by claiming another address in a header."""
    statuses = []
    for i in range(11):
        body = {"username": f"user{i}", "password": "guess"}
        statuses.append((await post(hub.url, "/api/login", body, **{"X-Forwarded-For": f"10.9.9.{i}"}))[0])

    assert statuses[:10] == [401] * 10 and statuses[10] == 429


async def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(hub_factory: Any) -> None:
    """Behind nginx every request comes from the proxy: the limit must follow the client it names."""
    hub: Hub = await hub_factory(trusted_proxies=("127.0.0.0/8",))
    hub.login_buckets._clock = FrozenClock()
    await hub.user("alice", password="right")

    async def guess(i: int, forwarded: str) -> int:
        body = {"username": f"user{i}", "password": "guess"}
        return (await post(hub.url, "/api/login", body, **{"X-Forwarded-For": forwarded}))[0]

    # the client at 10.0.0.1 guesses; a spoofed left-most entry does not help it
    first = [await guess(i, f"192.0.2.{i}, 10.0.0.1") for i in range(11)]
    assert first[:10] == [401] * 10 and first[10] == 429
    # another client behind the same proxy still signs in
    status, _ = await post(
        hub.url, "/api/login", {"username": "alice", "password": "right"}, **{"X-Forwarded-For": "10.0.0.2"}
    )
    assert status == 200


async def test_refilled_login_buckets_are_forgotten(hub: Hub, frozen_login_clock: FrozenClock) -> None:
    """Every user name tried makes a bucket; full ones are dropped, so guessing cannot grow memory."""
    for i in range(5):
        await post(hub.url, "/api/login", {"username": f"nobody{i}", "password": "guess"})
    limits = hub.login_buckets
    assert len(limits) == 6  # five names and one address

    frozen_login_clock.now += 10 / 0.2  # long enough for every bucket to refill
    await hub.delivery.maintenance.forget_full_buckets()

    assert len(limits) == 0


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("127.0.0.1", "10.0.0.5", (), "127.0.0.1"),  # no trusted proxy: the header means nothing
        ("10.1.1.1", "10.0.0.5", ("127.0.0.1",), "10.1.1.1"),  # the peer is not the proxy
        ("127.0.0.1", "10.0.0.5", ("127.0.0.1",), "10.0.0.5"),
        ("127.0.0.1", "6.6.6.6, 10.0.0.5", ("127.0.0.1",), "10.0.0.5"),  # the client wrote 6.6.6.6
        ("127.0.0.1", "10.0.0.5, 172.16.0.2", ("127.0.0.1", "172.16.0.0/12"), "10.0.0.5"),  # two proxies
        ("127.0.0.1", "", ("127.0.0.1",), "127.0.0.1"),
        ("::1", "2001:db8::7", ("::1",), "2001:db8::7"),
    ],
)
def test_client_address(peer: str, forwarded: str, trusted: tuple[str, ...], client: str) -> None:
    assert client_address(peer, forwarded, proxy_networks(trusted)) == client


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('0{"token":"lnt_abc-DEF_123","last_id":4}', '0{"token":"[redacted]","last_id":4}'),
        ("{'token': 'plain-secret', 'x': 1}", "{'token': '[redacted]', 'x': 1}"),
        ('{"password": "p\\"w"}', '{"password": "[redacted]"}'),
        ("Bearer lnt_abc", "Bearer lnt_[redacted]"),
        ("nothing secret here", "nothing secret here"),
        # the whole value, whatever it holds
        ("""{'token': "it's a 'secret' x", 'x': 1}""", """{'token': "[redacted]", 'x': 1}"""),
        ("""{'token': 'a\\'b"c d', 'n': 2}""", "{'token': '[redacted]', 'n': 2}"),
        ('{"token": 12345, "last_id": 3}', '{"token": [redacted], "last_id": 3}'),
        ('{"token": ["s1", {"a": "s]2"}], "k": 1}', '{"token": [redacted], "k": 1}'),
        ('40{"token":"never closed', '40{"token":[redacted]'),
        ("GET /socket.io/?EIO=4&token=abc'def&x=1", "GET /socket.io/?EIO=4&token=[redacted]&x=1"),
        ("Authorization: Bearer sekrit", "Authorization: [redacted]"),
        (
            '{"access_token": "x", "new_password": "y", "token_id": 5}',
            '{"access_token": "[redacted]", "new_password": "[redacted]", "token_id": 5}',
        ),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact_secrets(text) == shown


async def test_guessing_with_ever_new_user_names_holds_no_memory_per_name(
    hub: Hub, frozen_login_clock: FrozenClock
) -> None:
    for i in range(60):
        status, _ = await post(hub.url, "/api/login", {"username": f"user{i}", "password": "guess"})
        assert status == (401 if i < 10 else 429)
    assert len(hub.login_buckets) == 11, "the address, and the 10 names tried before it was limited"
