"""Batched presence: a client that asks for it hears a connect wave in a few `presence` events, while
the seed's clients still get one `user_online` / `user_offline` per user."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hub.config import HubConfig
from hub.delivery import Session
from hub.store import SqliteStore
from tests.support.clients import Client, refused
from tests.support.delivery import Recorder, running
from tests.support.hubs import Hub

#: Clients in a connect wave: enough that one event per client could not pass for a batch.
WAVE = 40


async def presence_until(client: Client, *, online: set[str], offline: set[str]) -> list[dict[str, Any]]:
    """The `presence` events that bring the client's view to these names having come (or gone)."""
    events: list[dict[str, Any]] = []
    heard_online: set[str] = set()
    heard_offline: set[str] = set()
    for _ in range(4 * WAVE):
        if online <= heard_online and offline <= heard_offline:
            return events
        event = await client.next("presence")
        events.append(event)
        heard_online |= set(event["online"])
        heard_offline |= set(event["offline"])
    raise AssertionError(f"never heard of them all: {events}")


async def test_a_batched_client_hears_a_connect_wave_in_a_few_events(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(presence_interval_seconds=1.0)
    watchers = await hub.tokens(["batched", "seed"])
    batched = await hub.client(auth={"token": watchers[0], "presence": "batched"})
    seed = await hub.client(watchers[1])
    assert await batched.next("presence") == {"online": ["batched", "seed"], "offline": [], "full": True}
    names = [f"u{i:02}" for i in range(WAVE)]
    wave = await asyncio.gather(*(hub.client(t) for t in await hub.tokens(names)))

    came = await presence_until(batched, online=set(names), offline=set())
    seed_heard = [await seed.next("user_online") for _ in names]

    assert len(came) < WAVE / 4, came  # one event per interval, not one per connect
    assert all(not event["full"] for event in came)
    assert sorted(e["userId"] for e in seed_heard) == names  # the seed's client: one event per user
    assert seed_heard[0] == {"userId": seed_heard[0]["userId"], "username": seed_heard[0]["userId"]}

    await asyncio.gather(*(client.close() for client in wave))

    went = await presence_until(batched, online=set(), offline=set(names))
    seed_left = [await seed.next("user_offline") for _ in names]
    assert len(went) < WAVE / 4, went
    assert sorted(e["userId"] for e in seed_left) == names
    assert (await batched.call("list_online"))["online"] == ["batched", "seed"]
    assert [event for event, _ in batched.received if event in ("user_online", "user_offline")] == []


async def test_a_batched_client_is_welcomed_without_the_list_and_then_told_everyone(hub: Hub) -> None:
    alice, bob = await hub.tokens(["alice", "bob"])
    await hub.client(alice)
    client = await hub.client(auth={"token": bob, "presence": "batched"}, welcome=False)

    welcome = await client.next("welcome")
    first = await client.next("presence")

    assert welcome["user"] == {"name": "bob", "admin": False}
    assert "online" not in welcome
    assert first == {"online": ["alice", "bob"], "offline": [], "full": True}


async def test_an_unknown_presence_mode_is_refused_with_a_clear_error(hub: Hub) -> None:
    (token,) = await hub.tokens(["alice"])

    reason = await refused(hub.url, {"token": token, "presence": "loud"})

    assert reason["data"]["code"] == "invalid_payload"
    assert "presence" in reason["message"]


async def test_a_client_on_an_open_hub_may_ask_for_batches(hub_factory: Any) -> None:
    hub = await hub_factory(open=True)
    client = await hub.client(auth={"userId": "alice", "presence": "batched"})

    assert await client.next("presence") == {"online": ["alice"], "offline": [], "full": True}


async def test_changes_within_an_interval_come_as_the_last_one(tmp_path: Path) -> None:
    outbox = Recorder()
    config = HubConfig(data_dir=tmp_path, presence_interval_seconds=60.0)
    async with running(SqliteStore(tmp_path / "hub.sqlite3"), outbox, config) as delivery:
        watcher = Session(user=await delivery.store.create_user("w", None, admin=False), sid="w", batched=True)
        delivery.presence.add(watcher)
        batches = delivery.fanout.batches
        await delivery.fanout.tell_presence(2, "bob", online=True)
        await delivery.fanout.tell_presence(2, "bob", online=False)
        await delivery.fanout.tell_presence(3, "carol", online=True)

        await batches.flush()

    assert outbox.sent["w"] == [("presence", {"online": ["carol"], "offline": ["bob"], "full": False})]
