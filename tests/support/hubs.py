"""Real hubs for tests, each on a free loopback port: `create_app` in this process (`Hub`, via the `hub` and
`hub_factory` fixtures of tests/conftest.py), `python -m hub serve` as a subprocess (`HubProcess`), or
`create_app` on an event loop a synchronous test drives step by step (`LoopHub`, for hypothesis)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hub.app_keys import LOGIN_LIMITS, SERVICE
from hub.auth import Accounts
from hub.config import HubConfig
from hub.delivery import Delivery
from hub.ratelimit import LocalBuckets, TokenBuckets
from hub.server import RunningHub
from hub.store import SqliteStore, Store
from tests.support.cli import notify_hub
from tests.support.clients import Client, drain_until_marker
from tests.support.ports import port_of
from tests.support.waiting import WAIT


@dataclass
class Hub:
    """A running hub and handles to its parts."""

    url: str
    config: HubConfig
    running: RunningHub
    clients: list[Client] = field(default_factory=list)

    @property
    def delivery(self) -> Delivery:
        return self.running.app[SERVICE]

    @property
    def login_buckets(self) -> TokenBuckets:
        """The sign-in limits' buckets (one hub: in this process)."""
        buckets = self.running.app[LOGIN_LIMITS].buckets
        assert isinstance(buckets, LocalBuckets)
        return buckets.buckets

    @property
    def store(self) -> Store:
        return self.running.store

    @property
    def accounts(self) -> Accounts:
        return self.running.accounts

    async def user(self, name: str, *, admin: bool = False, password: str = "correct horse") -> str:
        """Create a user with a password and return a fresh device token for them."""
        await self.accounts.add_user(name, password, admin=admin)
        return (await self.accounts.issue_token(name, "test")).secret

    async def token(self, name: str) -> str:
        return (await self.accounts.issue_token(name, "test")).secret

    async def tokens(self, names: list[str]) -> list[str]:
        """Accounts without a password (argon2 per user would be slow) and a device token each."""
        made = []
        for name in names:
            await self.store.create_user(name, None, admin=False)
            made.append((await self.accounts.issue_token(name, "test")).secret)
        return made

    async def welcomed(self, token: str, **auth: Any) -> tuple[Client, dict[str, Any]]:
        """A client connected with `auth: {token, **auth}`, and its `welcome`."""
        client = await self.client(auth={"token": token, **auth}, welcome=False)
        return client, await client.next("welcome")

    async def client(
        self, token: str | None = None, *, auth: Any = None, welcome: bool = True, name: str = ""
    ) -> Client:
        """A connected client; by default waits for its `welcome` (the replay follows right after)."""
        client = Client(self.url, name)
        self.clients.append(client)
        await client.connect(auth if auth is not None else ({"token": token} if token else None))
        if welcome:
            await client.next("welcome")
        return client


T = TypeVar("T")

#: The database of the hub kept in a data directory, when the suite runs on PostgreSQL (`--store
#: postgres`: tests/support/servers.py sets it before collection); None: each hub has its SQLite file.
database_for: Callable[[Path], str] | None = None


def make_config(data_dir: Path, **changes: Any) -> HubConfig:
    """A test hub's settings: loopback, port 0, `data_dir`, revocations noticed within 0.2 s."""
    config = HubConfig(host="127.0.0.1", port=0, data_dir=data_dir, revocation_poll_seconds=0.2).with_changes(**changes)
    return config if database_for is None else config.with_changes(database=database_for(data_dir))


@contextlib.asynccontextmanager
async def hub_starter(data_dir: Path) -> AsyncIterator[Callable[..., Awaitable[Hub]]]:
    """`start(**changes)`: a started in-process hub on `data_dir` (the `hub_factory` fixture); every hub
    started, and its clients, are closed at the end."""
    started: list[Hub] = []

    async def start(**changes: Any) -> Hub:
        config = make_config(data_dir, **changes)
        running = RunningHub(config)
        url = await running.start()
        hub = Hub(url=url, config=config, running=running)
        started.append(hub)
        return hub

    try:
        yield start
    finally:
        for hub in started:
            for client in hub.clients:
                await client.close()
            await hub.running.stop()


class HubProcess:
    """`python -m hub serve` as a subprocess (for SIGKILL tests, and to read its log); reads its URL from
    stdout. The first start binds port 0; a restart listens on the port that start got, so clients find
    it where they left it.

    `stderr`: a file or `asyncio.subprocess.PIPE`; or `log`: a file each start appends its standard error
    to (shown when it fails to start). `files`: its open-file limit, (soft, hard)."""

    def __init__(
        self,
        data_dir: Path,
        *args: str,
        stderr: Any = asyncio.subprocess.DEVNULL,
        log: Path | None = None,
        files: tuple[int, int] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.args = args
        self.stderr = stderr
        self.log = log
        self.files = files
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def cli(self, *args: str, stdin: str | None = None) -> str:
        """`notify-hub --data-dir <its data> <args>`, which must succeed; what it printed."""
        done = await notify_hub("--data-dir", str(self.data_dir), *args, stdin=stdin or "")
        assert done.code == 0, done.err
        return done.out

    async def start(self) -> str:
        port = str(port_of(self.url)) if self.url else "0"
        with contextlib.ExitStack() as files:
            stderr = files.enter_context(self.log.open("ab")) if self.log is not None else self.stderr
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub",
                "serve",
                "--port",
                port,
                "--data-dir",
                str(self.data_dir),
                "--revocation-poll-seconds",
                "0.2",
                *self.args,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                preexec_fn=self._limit_files if self.files else None,
            )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), WAIT * 3)
        assert b"listening on" in line, self.logged()[-3000:] if self.log is not None else line
        self.url = line.decode().split("listening on", 1)[1].strip()
        return self.url

    def logged(self) -> str:
        """What its starts wrote to `log`."""
        assert self.log is not None, "started without a log file"
        return self.log.read_text() if self.log.exists() else ""

    def _limit_files(self) -> None:
        import resource

        assert self.files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, self.files)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), WAIT * 2)

    async def stop(self) -> None:
        """SIGTERM if it runs, and SIGKILL if it has not stopped within WAIT seconds."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), WAIT)
            except TimeoutError:
                await self.kill()

    async def close(self) -> None:
        """SIGKILL if it runs."""
        if self.proc is not None and self.proc.returncode is None:
            await self.kill()


#: Seconds one step of a LoopHub (one fuzz example, say) may take.
STEP = 30.0
#: The users a LoopHub always has: `still_serves` has them talk after a campaign.
OBSERVERS = ("observer-a", "observer-b")


class LoopHub:
    """A real hub (create_app on a free loopback port) on an event loop owned by the test: `run(coro)` runs
    one step on it, and the hub's own tasks progress meanwhile."""

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
        store = self.running.store
        assert isinstance(store, SqliteStore)
        return store

    async def user(self, name: str, *, admin: bool = False) -> str:
        await self.store.create_user(name, None, admin=admin)
        self.tokens[name] = (await self.running.accounts.issue_token(name, "fuzz")).secret
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


@contextlib.contextmanager
def loop_hub_with(data_dir: Path, *users: str, admins: Collection[str] = (), **config: Any) -> Iterator[LoopHub]:
    """A started LoopHub with `users` (and the OBSERVERS), each with a device token; closed after."""
    hub = LoopHub(data_dir, **config)
    try:
        for name in dict.fromkeys([*users, *OBSERVERS]):
            hub.run(hub.user(name, admin=name in admins))
        yield hub
    finally:
        hub.close()
