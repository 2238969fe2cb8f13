"""The PostgreSQL backup and restore steps of docs/deployment.md, run as written against a real server."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hub.auth import Accounts
from hub.protocol import Kind, NotificationType
from hub.store.base import NewNotification
from hub.store.postgres import PostgresStore
from tests.support.servers import PostgresServer, create_database

ROOT = Path(__file__).resolve().parents[2]
TS = "2026-01-01T00:00:00.000Z"


def documented(step: str) -> list[str]:
    """The command of docs/deployment.md's PostgreSQL backup section that starts with `step`."""
    doc = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    section = doc.split("**PostgreSQL.**", 1)[1].split("\n## ", 1)[0]
    [line] = [line for line in section.splitlines() if line.startswith(step + " ")]
    return line.replace("$(date +%F)", "2026-05-01").split()


def run(command: list[str], server: PostgresServer, dump: Path, database: str) -> None:
    argv = [str(server.bindir / command[0])] + [
        str(dump) if arg.startswith("/backup/") else database if arg == "lan_notify" else arg for arg in command[1:]
    ]
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(server.port), "PGUSER": "postgres"}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr}"


def direct(to: int, message: str) -> NewNotification:
    return NewNotification(Kind.DIRECT, NotificationType.INFO, "", message, "alice", TS, to_user_id=to)


async def test_pg_dump_while_the_hubs_run_and_pg_restore_bring_the_store_back(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = await create_database(postgres_server)
    database = url.rsplit("/", 1)[1]
    dump = tmp_path / "lan-notify.dump"
    store = PostgresStore(url)
    await store.open()
    try:
        accounts = Accounts(store)
        await accounts.add_user("alice", "pw-alice", admin=True)
        await accounts.add_user("bob", None, admin=False, token_only=True)
        bob_token = (await accounts.issue_token("bob", "laptop")).secret
        bob = await accounts.user("bob")
        await store.add([direct(bob.id, f"m{i}") for i in range(3)])

        run(documented("pg_dump"), postgres_server, dump, database)  # the hub is still open

        await store.add([direct(bob.id, "after the dump")])
        await accounts.add_user("carol", None, admin=False, token_only=True)
        await store.remove_user("alice")
    finally:
        await store.close()  # "stop every hub"

    run(documented("pg_restore"), postgres_server, dump, database)

    restored = PostgresStore(url)
    await restored.open()
    try:
        assert sorted(u.name for u in await restored.list_users()) == ["alice", "bob"]
        _, owner = await Accounts(restored).token_owner(bob_token)
        assert owner.name == "bob"
        assert [n.message for n in await restored.replay(bob.id, 0, 100)] == ["m0", "m1", "m2"]
        # Ids and the notification head came back with the rows: the next notification follows on.
        [stored] = (await restored.add_batch([direct(bob.id, "after the restore")])).items
        assert stored.notification.id == 4
        assert (await restored.create_user("dave", None, admin=False)).id > bob.id
    finally:
        await restored.close()
