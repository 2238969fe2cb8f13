"""Users and device tokens for the hub, made with its own account code before any timing starts.

Every client signs in with its device token, as the hub's apps do once signed in, so no user has a
password: hashing one (argon2, memory-hard on purpose) took ~0.15 s a user, 11 minutes for 5,000.
The hub's admin CLI (`user add --no-password`, `token create`) then took ~70 s for 5,000, nearly all
of it one durable commit (`synchronous=FULL`) per user and per token. The bench makes them through
the same `Accounts` calls the CLI makes, on the hub's own `SqliteStore`, but inside one transaction
(a bench-only path: one commit for the lot), in about a second for 5,000. The result is kept in a
template data dir that every run copies, and cached under bench/results/cache keyed on the hub's
store schema and account code, so a second bench run does not provision again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Client:
    """One Socket.IO client of the load generator: the user it is, and its device token on the hub."""

    user_id: str
    token: str | None = None

    def wire(self) -> dict[str, str]:
        data = {"userId": self.user_id}
        if self.token is not None:
            data["token"] = self.token
        return data


@dataclass(frozen=True)
class HubClients:
    receivers: list[Client]
    senders: list[Client]
    admin: Client


async def _provision_async(data_dir: Path, receivers: int, senders: int) -> HubClients:
    from hub.auth import Accounts
    from hub.config import HubConfig
    from hub.store import SqliteStore

    store = SqliteStore(HubConfig(data_dir=data_dir).database_path)
    await store.open()
    accounts = Accounts(store)

    async def make(name: str, *, admin: bool = False) -> Client:
        await accounts.add_user(name, None, admin=admin, token_only=True)
        return Client(user_id=name, token=(await accounts.issue_token(name, "bench")).secret)

    try:
        # Bench-only: every insert below runs on the store's one connection inside this transaction.
        await store._run(lambda db: db.execute("BEGIN IMMEDIATE"))
        try:
            admin = await make("admin", admin=True)
            made_senders = [await make(f"sender{i}") for i in range(senders)]
            made = [await make(f"u{i}") for i in range(receivers)]
        except BaseException:
            await store._run(lambda db: db.execute("ROLLBACK"))
            raise
        await store._run(lambda db: db.execute("COMMIT"))
    finally:
        await store.close()
    return HubClients(receivers=made, senders=made_senders, admin=admin)


def _provision(data_dir: Path, receivers: int, senders: int) -> HubClients:
    started = time.perf_counter()
    made = asyncio.run(_provision_async(data_dir, receivers, senders))
    print(
        f"bench: provisioned {receivers + senders + 1} users in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    return made


#: What a provisioned data dir depends on: the store's schema and how users and tokens are made.
_FINGERPRINTED = (
    "hub/store/sqlite/migrations.py",
    "hub/store/sqlite/store.py",
    "hub/auth/passwords.py",
    "hub/auth/tokens.py",
    "hub/auth/accounts.py",
    "hub/store/sqlite/thread.py",
)


def _hub_fingerprint(repo: Path) -> str:
    """A digest of the `_FINGERPRINTED` files of `repo`. A missing one is an error, not an empty file:
    after a rename the cache key would no longer follow the code it stands for."""
    digest = hashlib.sha256()
    for name in _FINGERPRINTED:
        path = repo / name
        if not path.is_file():
            raise FileNotFoundError(
                f"bench cache fingerprint: {path} is missing; update _FINGERPRINTED in bench/provision.py"
            )
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def provision_hub(template: Path, *, receivers: int, senders: int, cwd: Path) -> HubClients:
    """Fill `template` (a data dir) with users and tokens, reusing a cached one for the same hub source."""
    cache = cwd / "bench" / "results" / "cache" / f"hub-{_hub_fingerprint(cwd)}-{receivers}-{senders}"
    manifest = cache / "clients.json"
    if not manifest.is_file():
        staging = cache.with_name(cache.name + ".tmp")
        if staging.exists():
            shutil.rmtree(staging)
        (staging / "data").mkdir(parents=True)
        print(f"bench: provisioning {receivers} hub users (once; cached in {cache})", file=sys.stderr)
        made = _provision(staging / "data", receivers, senders)
        (staging / "clients.json").write_text(json.dumps(asdict(made)))
        if cache.exists():
            shutil.rmtree(cache)
        staging.rename(cache)
    data = json.loads(manifest.read_text())
    if template.exists():
        shutil.rmtree(template)
    shutil.copytree(cache / "data", template)

    def clients(items: list[dict[str, str]]) -> list[Client]:
        return [Client(user_id=c["user_id"], token=c["token"]) for c in items]

    return HubClients(
        receivers=clients(data["receivers"]), senders=clients(data["senders"]), admin=clients([data["admin"]])[0]
    )
