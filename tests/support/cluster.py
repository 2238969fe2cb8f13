"""Several real hub processes (`python -m hub serve`) sharing a real PostgreSQL and a real redis-server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.auth import Accounts
from hub.store.postgres import PostgresStore
from tests.support.cli import notify_hub
from tests.support.clients import Client
from tests.support.hubs import HubProcess
from tests.support.servers import PostgresServer, RedisServer, create_database


@dataclass
class Cluster:
    tmp: Path
    redis: RedisServer
    database: str
    store: PostgresStore
    hub_args: list[str] = field(default_factory=list)
    hubs: list[HubProcess] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.store)

    def hub(self, index: int, *args: str) -> HubProcess:
        """Hub number `index` of the cluster (not started): its own data directory and log file."""
        shared = ("--database", self.database, "--redis", self.redis.url, "--cluster-ttl-seconds", "2")
        return HubProcess(self.tmp / f"hub{index}", *shared, *self.hub_args, *args, log=self.tmp / f"hub{index}.log")

    async def start(self, count: int, *args: str) -> list[HubProcess]:
        new = [self.hub(len(self.hubs) + i, *args) for i in range(count)]
        self.hubs.extend(new)
        await asyncio.gather(*(hub.start() for hub in new))
        return new

    async def user(self, name: str, *, admin: bool = False) -> str:
        """A user without a password (fast) and a device token for them."""
        await self.store.create_user(name, None, admin=admin)
        return await self.token(name)

    async def token(self, name: str) -> str:
        return (await self.accounts.issue_token(name, "test")).secret

    async def client(self, hub: HubProcess, token: str, name: str = "", *, welcome: bool = True, **auth: Any) -> Client:
        client = Client(hub.url, name)
        self.clients.append(client)
        await client.connect({"token": token, **auth})
        if welcome:
            await client.next("welcome")
        return client

    async def cli(self, *args: str, via_env: bool = False) -> str:
        """`notify-hub <args> --database <the shared store>` (or with `LAN_NOTIFY_DATABASE` set instead);
        returns its standard output."""
        database = ["--database", self.database] if not via_env else []
        env = {"LAN_NOTIFY_DATABASE": self.database} if via_env else None
        done = await notify_hub("--data-dir", str(self.tmp / "cli"), *args, *database, env=env)
        assert done.code == 0, done.err
        return done.out

    def logs(self) -> str:
        return "\n".join(f"--- hub{i}\n{hub.logged()[-4000:]}" for i, hub in enumerate(self.hubs))


async def make_cluster(tmp_path: Path, redis: RedisServer, postgres: PostgresServer) -> Cluster:
    database = await create_database(postgres)
    store = PostgresStore(database)
    await store.open()
    return Cluster(tmp=tmp_path, redis=redis, database=database, store=store)


async def close_cluster(cluster: Cluster) -> None:
    for client in cluster.clients:
        await client.close()
    await asyncio.gather(*(hub.stop() for hub in cluster.hubs))
    await cluster.store.close()
