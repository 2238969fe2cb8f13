"""Several real hub processes (`python -m hub serve`) sharing a real PostgreSQL and a real redis-server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.accounts import Accounts
from hub.store.postgres import PostgresStore
from tests.support.clients import Client
from tests.support.servers import PostgresServer, RedisServer, create_database
from tests.support.waiting import WAIT


class HubProc:
    """One hub process; its log goes to a file shown when a test fails."""

    def __init__(self, cluster: Cluster, index: int, *args: str) -> None:
        self.cluster = cluster
        self.index = index
        self.args = args
        self.log = cluster.tmp / f"hub{index}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> str:
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub",
                "serve",
                "--port",
                "0",
                "--data-dir",
                str(self.cluster.tmp / f"hub{self.index}"),
                "--database",
                self.cluster.database,
                "--redis",
                self.cluster.redis.url,
                "--revocation-poll-seconds",
                "0.2",
                "--cluster-ttl-seconds",
                "2",
                *self.cluster.hub_args,
                *self.args,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), WAIT * 3)
        assert b"listening on" in line, self.log.read_text()[-3000:]
        self.url = line.decode().split("listening on", 1)[1].strip()
        return self.url

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), WAIT)
            except TimeoutError:
                await self.kill()


@dataclass
class Cluster:
    tmp: Path
    redis: RedisServer
    database: str
    store: PostgresStore
    hub_args: list[str] = field(default_factory=list)
    hubs: list[HubProc] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.store)

    async def start(self, count: int, *args: str) -> list[HubProc]:
        new = [HubProc(self, len(self.hubs) + i, *args) for i in range(count)]
        self.hubs.extend(new)
        await asyncio.gather(*(hub.start() for hub in new))
        return new

    async def user(self, name: str, *, admin: bool = False) -> str:
        """A user without a password (fast) and a device token for them."""
        await self.store.create_user(name, None, admin=admin)
        return await self.token(name)

    async def token(self, name: str) -> str:
        return (await self.accounts.issue_token(name, "test")).secret

    async def client(self, hub: HubProc, token: str, name: str = "", *, welcome: bool = True, **auth: Any) -> Client:
        client = Client(hub.url, name)
        self.clients.append(client)
        await client.connect({"token": token, **auth})
        if welcome:
            await client.next("welcome")
        return client

    async def cli(self, *args: str, via_env: bool = False) -> str:
        """`notify-hub <args> --database <the shared store>` (or with `LAN_NOTIFY_DATABASE` set instead);
        returns its standard output."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}
        if via_env:
            env["LAN_NOTIFY_DATABASE"] = self.database
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub",
            "--data-dir",
            str(self.tmp / "cli"),
            *args,
            *([] if via_env else ["--database", self.database]),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), WAIT * 3)
        assert proc.returncode == 0, err.decode()
        return out.decode()

    def logs(self) -> str:
        return "\n".join(f"--- hub{h.index}\n{h.log.read_text()[-4000:]}" for h in self.hubs if h.log.exists())


async def make_cluster(tmp_path: Path, redis: RedisServer, postgres: PostgresServer) -> Cluster:
    database = await create_database(postgres)
    store = PostgresStore(database)
    await store.open()
    return Cluster(tmp=tmp_path, redis=redis, database=database, store=store)


async def close_cluster(cluster: Cluster) -> None:
    for client in cluster.clients:
        await client.close()
    await asyncio.gather(*(hub.close() for hub in cluster.hubs))
    await cluster.store.close()
