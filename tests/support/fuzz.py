"""Fuzzing support: a hub on an event loop that a synchronous hypothesis test drives step by step, raw
Engine.IO websockets, and the checks that run after a fuzz campaign.

Hypothesis does not run async test functions, so each fuzz test owns an event loop: the hub is
started on it once, and every example runs its coroutine on it with `run(...)`. The hub's own tasks
progress whenever the loop runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from hypothesis import HealthCheck, settings

from hub.accounts import Accounts
from hub.app import STORE
from hub.protocol import ErrorCode
from hub.server import RunningHub
from hub.store import SqliteStore
from tests.support.clients import Client, drain_until_marker
from tests.support.hubs import make_config
from tests.support.memory import rss

T = TypeVar("T")
STEP = 30.0  # seconds one example may take
#: How long a probe waits before concluding that the namespace is no longer connected (then it
#: connects again and asks once more, with no time limit but STEP): a classification, not a verdict.
PROBE_WAIT = 3.0
DOCUMENTED_CODES = {c.value for c in ErrorCode} - {ErrorCode.INTERNAL.value}


def fuzz_settings(*, slow: bool, default: int = 30, long: int = 400) -> settings:
    """Small example counts in the default run, many under `slow` (`FUZZ_EXAMPLES` sets that count)."""
    count = int(os.environ.get("FUZZ_EXAMPLES", long)) if slow else default
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        derandomize=not slow,  # the default run tries the same inputs every time; `slow` explores
        database=None,
    )


class Tally:
    """What a campaign saw: inputs tried and how the hub answered them."""

    def __init__(self) -> None:
        self.tried = 0
        self.outcomes: dict[str, int] = {}

    def add(self, outcome: str) -> None:
        self.tried += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def line(self, what: str) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(self.outcomes.items()))
        return f"fuzz {what}: {self.tried} inputs tried ({shown})"


class LoopHub:
    """A real hub (create_app on a free loopback port) on an event loop owned by the test."""

    def __init__(self, data_dir: Path, **config: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.config = make_config(data_dir, **config)
        self.running = RunningHub(self.config)
        self.url = self.run(self.running.start())
        self.clients: list[Client] = []
        self.tokens: dict[str, str] = {}

    def run(self, coro: Awaitable[T], timeout: float = STEP) -> T:
        async def bounded() -> T:
            return await asyncio.wait_for(coro, timeout)

        return self.loop.run_until_complete(bounded())

    @property
    def store(self) -> SqliteStore:
        store = self.running.app[STORE]
        assert isinstance(store, SqliteStore)
        return store

    async def user(self, name: str, *, admin: bool = False) -> str:
        await self.store.create_user(name, None, admin=admin)
        self.tokens[name] = (await Accounts(self.store).issue_token(name, "fuzz")).secret
        return self.tokens[name]

    async def client(self, name: str, *, last_id: int | None = 0) -> Client:
        client = Client(self.url, name)
        self.clients.append(client)
        auth: dict[str, Any] = {"token": self.tokens[name]}
        if last_id is not None:
            auth["last_id"] = last_id
        await client.connect(auth)
        await client.next("welcome")
        return client

    async def still_serves(self) -> None:
        """After the campaign: a new pair of clients can talk, and the store is intact."""
        sender = await self.client("observer-a")
        receiver = await self.client("observer-b", last_id=None)
        answer = await sender.call("send_notification", {"to": "observer-b", "message": "still here?"})
        assert answer["ok"], answer
        got = await drain_until_marker(receiver)
        assert [n["message"] for n in got][-1:] == ["still here?"]
        assert (await sender.call("list_online"))["ok"]
        assert await self.store.integrity_check() == "ok"

    def close(self) -> None:
        async def shutdown() -> None:
            for client in self.clients:
                with contextlib.suppress(Exception):
                    await client.close()
            await self.running.stop()

        try:
            self.run(shutdown(), 60)
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()


class RawSocket:
    """A plain websocket speaking Engine.IO v4 by hand: whatever frames the test wants to send."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.session = session
        self.ws = ws
        self.open_packet: dict[str, Any] = {}
        self.closed = False
        self._ack = 1000

    @classmethod
    async def open(cls, url: str) -> RawSocket:
        session = aiohttp.ClientSession()
        try:
            ws = await session.ws_connect(url + "/socket.io/?EIO=4&transport=websocket", max_msg_size=0)
        except BaseException:
            await session.close()
            raise
        raw = cls(session, ws)
        first = await raw.receive()
        assert isinstance(first, str) and first.startswith("0"), first
        raw.open_packet = json.loads(first[1:])
        return raw

    async def connect(self, auth: Any = None, namespace: str = "") -> str:
        """Send a Socket.IO CONNECT; returns the hub's answer frame (`40...` or `44...`)."""
        prefix = f"40{namespace}," if namespace else "40"
        await self.send(prefix + (json.dumps(auth) if auth is not None else ""))
        while True:
            frame = await self.receive()
            if frame is None:
                return ""
            if isinstance(frame, str) and frame[:2] in {"40", "44"}:
                return frame

    async def send(self, frame: str | bytes) -> None:
        if self.closed:
            return
        try:
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_str(frame)
        except (ConnectionError, RuntimeError):
            self.closed = True

    async def receive(self) -> str | bytes | None:
        """The next data frame (answering pings on the way); None once the hub closed the socket."""
        while True:
            if self.closed:
                return None
            msg = await self.ws.receive()
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                self.closed = True
                return None
            if msg.type is aiohttp.WSMsgType.ERROR:
                self.closed = True
                return None
            if msg.type is aiohttp.WSMsgType.TEXT and msg.data == "2":
                await self.send("3")
                continue
            if msg.type is aiohttp.WSMsgType.TEXT:
                return str(msg.data)
            if msg.type is aiohttp.WSMsgType.BINARY:
                return bytes(msg.data)

    async def probe(self, auth: Any) -> tuple[str, list[Any]]:
        """Is this connection still served? `served`, `closed` by the hub, or `ignored until reconnect`
        (after a Socket.IO DISCONNECT packet the hub ignores events until the client connects the
        namespace again, as Socket.IO specifies). Also returns every ack seen on the way."""
        try:
            return await asyncio.wait_for(self._probe(), PROBE_WAIT)
        except TimeoutError:
            pass
        frame = await self.connect(auth)
        assert frame.startswith("40{") or frame == "", frame
        outcome, acks = await self._probe()
        return ("ignored until reconnect" if outcome == "served" else outcome), acks

    async def _probe(self) -> tuple[str, list[Any]]:
        self._ack += 1
        wanted = f"43{self._ack}"
        await self.send(f'42{self._ack}["list_online"]')
        acks: list[Any] = []
        while True:
            frame = await self.receive()
            if frame is None:
                return "closed", acks
            if isinstance(frame, str) and frame.startswith(wanted + "["):
                answer = json.loads(frame[len(wanted) :])[0]
                assert answer["ok"], answer
                return "served", acks
            if isinstance(frame, str) and frame.startswith("43"):
                acks.append(_ack_payload(frame))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        await self.session.close()


def _ack_payload(frame: str) -> Any:
    body = frame[2:].lstrip("0123456789")
    try:
        return json.loads(body)[0]
    except (ValueError, IndexError, KeyError):
        return frame


def check_answer(answer: Any) -> str:
    """A hub answer to a fuzzed event must be `{ok: true, ...}` or a documented error code."""
    assert isinstance(answer, dict), answer
    if answer.get("ok") is True:
        return "ok"
    assert answer.get("ok") is False, answer
    code = answer["error"]["code"]
    assert code in DOCUMENTED_CODES, answer
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]
    return str(code)


#: How far the test process's memory may stay above its baseline after a campaign: CPython keeps
#: freed memory in its arenas and moves its high-water mark in steps of a few MiB; what a campaign
#: leaked per input would be far more.
RSS_SLACK = 24 * 1024 * 1024


def settled_rss() -> int:
    """This process's resident memory (an in-process hub's with it) after a full collection."""
    gc.collect()
    return rss(os.getpid())


def assert_memory_returns(baseline: int, what: str) -> None:
    now = settled_rss()
    mib = 1024 * 1024
    print(f"{what}: RSS {baseline / mib:.1f} MiB before, {now / mib:.1f} MiB after", flush=True)
    assert now <= baseline + RSS_SLACK, f"{what}: memory grew by {(now - baseline) / mib:.1f} MiB"
