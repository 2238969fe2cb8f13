"""Durable delivery: offline queues, resume from the last seen id, restarts, SIGKILL, retention gaps."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import pytest
import socketio

from tests.support.clients import Client, drain_until_marker
from tests.support.hubs import Hub, HubProcess
from tests.support.waiting import WAIT


async def named(hub: Hub, token: str, name: str, **auth: Any) -> Client:
    return await hub.client(auth={"token": token, **auth}, name=name)


async def test_offline_user_gets_the_queue_once_in_order(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    for i in range(5):
        assert (await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["ok"]

    first = await named(hub, bob_token, "bob")
    assert [n["message"] for n in await drain_until_marker(first)] == [f"m{i}" for i in range(5)]
    await first.close()

    again = await named(hub, bob_token, "bob")  # a client that never acks is not flooded with repeats
    assert await drain_until_marker(again) == []


async def test_acking_client_resumes_after_its_last_id(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(3)]

    bob = await named(hub, bob_token, "bob", last_id=0)
    assert [n["id"] for n in [await bob.next("notification") for _ in range(3)]] == ids
    await bob.sio.emit("ack", {"id": ids[0]})  # it only kept the first one, say
    await bob.close()
    more = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(3, 5)]

    back = await named(hub, bob_token, "bob", last_id=ids[0])
    got = await drain_until_marker(back)
    assert [n["id"] for n in got] == ids[1:] + more


async def test_server_remembers_acks_for_a_client_that_lost_its_place(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(3)]
    bob = await named(hub, bob_token, "bob", last_id=0)
    for _ in ids:
        await bob.next("notification")
    await bob.call("ack", {"id": ids[1]})
    await bob.close()
    await hub.delivery.cursors.flush()

    back = await named(hub, bob_token, "bob")  # no last_id this time
    assert [n["id"] for n in await drain_until_marker(back)] == ids[2:]


async def test_notifications_sent_while_a_client_connects_arrive_once_in_order(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")

    async def send_all() -> None:
        await asyncio.gather(*(alice.call("send_notification", {"to": "bob", "message": f"m{i}"}) for i in range(60)))

    sending = asyncio.ensure_future(send_all())
    bob = await named(hub, bob_token, "bob", last_id=0)
    await sending

    assert [n["message"] for n in await drain_until_marker(bob)] == [f"m{i}" for i in range(60)]


async def test_queued_notifications_survive_a_hub_restart(hub_factory: Any) -> None:
    hub = await hub_factory()
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    for i in range(3):
        await alice.call("send_notification", {"to": "bob", "message": f"m{i}", "type": "warning"})
    await hub.running.stop()
    hub.clients.clear()

    restarted = await hub_factory()
    bob = await named(restarted, bob_token, "bob")
    got = await drain_until_marker(bob)
    assert [(n["message"], n["type"], n["from"]) for n in got] == [(f"m{i}", "warning", "alice") for i in range(3)]


async def test_acknowledged_sends_survive_sigkill(hub_process: HubProcess) -> None:
    await hub_process.cli("user", "add", "alice", "--password-stdin", stdin="pw-alice\n")
    await hub_process.cli("user", "add", "bob", "--password-stdin", stdin="pw-bob\n")
    alice_token = (await hub_process.cli("token", "create", "alice")).strip()
    bob_token = (await hub_process.cli("token", "create", "bob")).strip()
    url = await hub_process.start()
    alice = await Client(url).connect({"token": alice_token})
    acked = []
    for i in range(20):
        ack = await alice.call("send_notification", {"to": "bob", "message": f"m{i}"})
        assert ack["ok"]
        acked.append(ack["id"])

    await hub_process.kill()  # no chance to flush anything
    await alice.close()
    url = await hub_process.start()

    bob = await Client(url, "bob").connect({"token": bob_token, "last_id": 0})
    try:
        got = await drain_until_marker(bob)
    finally:
        await bob.close()
    assert [n["id"] for n in got] == acked


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_stops_the_hub_cleanly_mid_stream_and_every_acknowledged_send_survives(
    hub_process: HubProcess, sig: signal.Signals
) -> None:
    await hub_process.cli("user", "add", "alice", "--password-stdin", stdin="pw-alice\n")
    await hub_process.cli("user", "add", "bob", "--password-stdin", stdin="pw-bob\n")
    alice_token = (await hub_process.cli("token", "create", "alice")).strip()
    bob_token = (await hub_process.cli("token", "create", "bob")).strip()
    # A burst above the 300 sends, so none is rate-limited. (A restart keeps the address: HubProcess.)
    hub_process.args = ("--rate-burst", "1000")
    url = await hub_process.start()

    # Bob's device as a real client would be: python-socketio's own reconnection, resuming from the
    # last id it saw.
    bob = socketio.AsyncClient(reconnection_delay=0.1, reconnection_delay_max=0.5)
    seen: list[int] = []
    connects: asyncio.Queue[None] = asyncio.Queue()
    drops: list[Any] = []
    dropped = asyncio.Event()

    def on_drop(reason: Any = None) -> None:
        drops.append(reason)
        dropped.set()

    bob.on("connect", lambda: connects.put_nowait(None))
    bob.on("disconnect", on_drop)
    marker_seen = asyncio.Event()

    def received(note: dict[str, Any]) -> None:
        seen.append(note["id"])
        if note["message"] == "marker":
            marker_seen.set()

    bob.on("notification", received)
    await bob.connect(url, auth=lambda: {"token": bob_token, "last_id": seen[-1] if seen else 0}, wait_timeout=WAIT)
    await asyncio.wait_for(connects.get(), WAIT)

    alice = await Client(url).connect({"token": alice_token})
    acked: list[int] = []
    refused: list[str] = []
    first = asyncio.Event()

    def answered(ack: dict[str, Any]) -> None:  # runs as the ack arrives, before the disconnect
        if ack["ok"]:
            acked.append(ack["id"])
            first.set()
        else:
            refused.append(ack["error"]["code"])

    for i in range(300):
        await alice.sio.emit("send_notification", {"to": "bob", "message": f"m{i}"}, callback=answered)
    await asyncio.wait_for(first.wait(), WAIT)
    assert hub_process.proc is not None
    hub_process.proc.send_signal(sig)  # while most of the 300 are still on their way

    assert await asyncio.wait_for(hub_process.proc.wait(), WAIT * 2) == 0
    await asyncio.wait_for(alice.disconnected.wait(), WAIT)
    await alice.close()
    assert set(refused) <= {"unavailable"}, refused
    await asyncio.wait_for(dropped.wait(), WAIT)
    assert drops[0] != bob.reason.SERVER_DISCONNECT, "a dropped transport, so clients come back"

    await hub_process.start()
    try:
        await asyncio.wait_for(connects.get(), WAIT * 3)  # bob reconnected by himself
        # A marker from alice after the restart: once bob has it, he has everything before it.
        again = await Client(url).connect({"token": alice_token})
        assert (await again.call("send_notification", {"to": "bob", "message": "marker"}))["ok"]
        await again.close()
        await asyncio.wait_for(marker_seen.wait(), WAIT)
    finally:
        await bob.disconnect()
    assert seen == sorted(set(seen)), "in order, none twice"
    assert set(acked) <= set(seen), "every acknowledged send arrived"
    print(f"{len(acked)} acknowledged, {len(refused)} refused, {len(seen) - 1} delivered")


async def test_a_gap_past_retention_is_reported_not_hidden(hub_factory: Any) -> None:
    hub = await hub_factory(retention_count=3)
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(6)]
    await hub.delivery.maintenance.prune()

    bob = await named(hub, bob_token, "bob", last_id=0)

    gap = await bob.next("gap")
    assert gap["since"] == 0 and gap["upto"] == ids[2] and gap["message"]
    assert [n["id"] for n in await drain_until_marker(bob)] == ids[3:]


async def test_a_new_device_gets_no_gap_notice_for_what_was_pruned_before_it(hub_factory: Any) -> None:
    hub = await hub_factory(retention_count=2)
    alice = await hub.client(await hub.user("alice"))
    await hub.user("bob")
    for i in range(4):
        await alice.call("send_notification", {"to": "bob", "message": f"m{i}"})
    await hub.delivery.maintenance.prune()

    bob = await named(hub, await hub.token("bob"), "bob")

    assert [n["message"] for n in await drain_until_marker(bob)] == ["m2", "m3"]
    assert bob.pending("gap") == []
