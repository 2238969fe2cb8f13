"""`notify-hub user` and `token` commands on the SQLite store of a hub that is serving: each opens the
store with a checkpointer of its own (a connection and a thread) beside the hub's, while notifications
are being stored."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

from tests.support.cli import notify_hub
from tests.support.clients import Client, SendStream, drain_until_marker
from tests.support.hubs import HubProcess
from tests.support.waiting import WAIT

#: Both checkpointers as busy as the settings allow: a PASSIVE checkpoint 10 ms after each store worked,
#: a RESTART one past 64 pages.
EAGER = {"wal_checkpoint_ms": "10", "wal_restart_pages": "64"}


async def test_admin_commands_beside_a_hub_storing_a_stream_of_sends_lose_nothing(hub_process: HubProcess) -> None:
    for name in ("alice", "bob", "carol"):
        await hub_process.cli("user", "add", name, "--no-password")
    alice_token = (await hub_process.cli("token", "create", "alice")).strip()
    bob_token = (await hub_process.cli("token", "create", "bob")).strip()
    hub_process.args = ("--rate-burst", "100000", *(f"--{k.replace('_', '-')}={v}" for k, v in EAGER.items()))
    url = await hub_process.start()
    alice = await Client(url).connect({"token": alice_token})
    stream = SendStream(alice, "bob", 20_000)
    acked, streaming, commands_done = stream.acked, stream.started, stream.done
    command_env = {"LAN_NOTIFY_" + k.upper(): v for k, v in EAGER.items()}
    data_dir = ["--data-dir", str(hub_process.data_dir)]
    sender = asyncio.create_task(stream.run())
    try:
        await asyncio.wait_for(streaming.wait(), WAIT)
        during = len(acked)
        made = []
        for round_ in range(3):
            # Each hashes a password with the store open (a child keeps the production argon2 profile,
            # ~0.25 s): long enough for the command's checkpointer to run, 10 ms after the store opened.
            added = await notify_hub(*data_dir, "user", "add", f"dave{round_}", env=command_env)
            assert added.code == 0, added.err
            changed = await notify_hub(
                *data_dir, "user", "passwd", "carol", "--password-stdin", stdin=f"pw {round_}\n", env=command_env
            )
            assert changed.code == 0, changed.err
            created = await notify_hub(*data_dir, "token", "create", "carol", "--label", f"l{round_}", env=command_env)
            assert created.code == 0, created.err
            made.append(created.out.strip())
        listed = await notify_hub(*data_dir, "user", "list", env=command_env)
        assert listed.code == 0, listed.err
        names = [line.split("\t")[0] for line in listed.out.splitlines()]
        assert names == ["alice", "bob", "carol", "dave0", "dave1", "dave2"]
        tokens = await notify_hub(*data_dir, "token", "list", "carol", env=command_env)
        assert tokens.code == 0, tokens.err
        assert all(f"l{round_}" in tokens.out for round_ in range(3))
        commands_done.set()
        await asyncio.wait_for(sender, WAIT * 3)
    finally:
        sender.cancel()
        await alice.close()
    assert len(acked) > during + 50, "the hub went on storing sends while the commands ran"
    carol = await Client(url).connect({"token": made[-1]})  # a token a command made, on the running hub
    await carol.close()

    bob = await Client(url, "bob").connect({"token": bob_token, "last_id": 0})
    try:
        kept = [n["id"] for n in await drain_until_marker(bob)]
    finally:
        await bob.close()
    assert kept == acked, "every notification acknowledged is stored, in order"
    assert await hub_process.terminate() == 0
    with contextlib.closing(sqlite3.connect(hub_process.data_dir / "hub.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
