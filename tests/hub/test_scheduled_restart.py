"""Scheduled sends survive the hub: what fell due while a SQLite hub was down (killed with SIGKILL while it
held the schedule's claim) is delivered once when it starts again."""

from __future__ import annotations

import sqlite3

from tests.support.clients import Client, drain_until_marker
from tests.support.hubs import HubProcess


async def bob_connects(hub: HubProcess, token: str) -> Client:
    bob = Client(hub.url, "bob")
    await bob.connect({"token": token, "last_id": 0})
    await bob.next("welcome")
    return bob


async def test_a_schedule_due_while_the_hub_was_killed_is_delivered_once_after_the_restart(
    hub_process: HubProcess,
) -> None:
    await hub_process.cli("user", "add", "alice", "--password-stdin", stdin="pw-alice\n")
    await hub_process.cli("user", "add", "bob", "--password-stdin", stdin="pw-bob\n")
    alice_token = (await hub_process.cli("token", "create", "alice")).strip()
    bob_token = (await hub_process.cli("token", "create", "bob")).strip()
    await hub_process.start()
    alice = Client(hub_process.url, "alice")
    await alice.connect({"token": alice_token})
    ack = await alice.call("send_notification", {"to": "bob", "message": "while you were out", "delay": "1h"})
    await alice.close()
    await hub_process.kill()
    # An hour passes while it is down; it had claimed the schedule (for far longer than a lease) when it died.
    with sqlite3.connect(hub_process.data_dir / "hub.sqlite3") as db:
        db.execute(
            "UPDATE scheduled SET deliver_at = deliver_at - 3601000, claimed_by = 'the killed hub',"
            " claimed_until = deliver_at + 86400000"
        )

    await hub_process.start()
    bob = await bob_connects(hub_process, bob_token)
    first = await bob.next("notification")
    rest = await drain_until_marker(bob)
    await bob.close()
    await hub_process.terminate()
    await hub_process.start()
    again = await bob_connects(hub_process, bob_token)
    replayed = await drain_until_marker(again)
    await again.close()

    assert ack["scheduled"] is True
    assert (first["message"], first["from"]) == ("while you were out", "alice")
    assert rest == []
    assert [n["message"] for n in replayed] == ["while you were out"]  # stored once, nothing fired twice
    with sqlite3.connect(hub_process.data_dir / "hub.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM scheduled").fetchone()[0] == 0
