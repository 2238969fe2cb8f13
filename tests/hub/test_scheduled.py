"""Scheduled delivery at the hub: a send with `delay` or `deliver_at` is acknowledged as scheduled,
stored, and delivered once at its time; the limits; cancel by key; the caller's list. Real hub, real
python-socketio clients; the scheduler's wall clock is moved by hand (`Scheduler.clock`, not on the
wire), so nothing waits real minutes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.schedule import MAX_DELAY_SECONDS
from tests.support.clients import drain_until_marker
from tests.support.http import call
from tests.support.hubs import Hub


class Shifted:
    """The scheduler's wall clock, `shift` seconds ahead of the real one."""

    def __init__(self, hub: Hub) -> None:
        self.shift = 0.0
        self.scheduler = hub.delivery.scheduler
        self.scheduler.clock = self

    def __call__(self) -> float:
        return time.time() + self.shift

    def advance(self, seconds: float) -> None:
        self.shift += seconds
        self.scheduler.wake()


async def test_a_delayed_send_is_acknowledged_as_scheduled_and_delivered_once_at_its_time(hub: Hub) -> None:
    clock = Shifted(hub)
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token, name="bob")

    ack = await alice.call("send_notification", {"to": "bob", "message": "stand-up in 5", "delay": "30m"})
    early = await drain_until_marker(bob)
    clock.advance(30 * 60)
    note = await bob.next("notification")
    after = await drain_until_marker(bob)

    assert ack["ok"] is True and ack["scheduled"] is True
    due = datetime.fromisoformat(ack["deliver_at"].replace("Z", "+00:00"))
    assert abs((due - datetime.now(UTC)).total_seconds() - 1800) < 60
    assert early == []  # nothing before its time
    assert (note["message"], note["from"], note["kind"]) == ("stand-up in 5", "alice", "direct")
    assert after == []  # and once
    history = await call(hub, "GET", "/api/notifications", token=bob_token)
    assert [n["message"] for n in history.body["notifications"]].count("stand-up in 5") == 1
    assert (await call(hub, "GET", "/api/scheduled", token=bob_token)).body == {"scheduled": []}


async def test_each_send_event_can_be_scheduled_for_a_time_with_an_offset(hub: Hub) -> None:
    clock = Shifted(hub)
    admin = await hub.client(await hub.user("root", admin=True), name="root")
    bob = await hub.client(await hub.user("bob"), name="bob")
    assert (await bob.call("join_room", {"room": "ops"}))["ok"]
    at = (datetime.now(UTC) + timedelta(hours=2)).astimezone(timezone_plus_one()).isoformat()

    acks = [
        await admin.call("room_message", {"room": "ops", "message": "room later", "deliver_at": at}),
        await admin.call("broadcast", {"message": "everyone later", "deliver_at": at}),
        await admin.call("announce", {"message": "announced later", "delay": "2h"}),
    ]
    clock.advance(2 * 3600 + 1)
    got = [await bob.next(event) for event in ("room_notification", "global_notification", "server_announcement")]

    assert all(ack["scheduled"] for ack in acks), acks
    assert [n["message"] for n in got] == ["room later", "everyone later", "announced later"]


def timezone_plus_one() -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("when", "code", "words"),
    [
        ({"delay": "5s"}, "invalid_payload", "10 s to 7 days ahead"),
        ({"delay": "8d"}, "invalid_payload", "10 s to 7 days ahead"),
        ({"delay": 10**12}, "invalid_payload", "delay"),
        ({"delay": "999999999d"}, "invalid_payload", "delay"),
        ({"deliver_at": "999999999999"}, "invalid_payload", "deliver_at"),
        ({"deliver_at": "9999-12-31T23:59:59-14:00"}, "invalid_payload", "7 days"),
        ({"delay": "soon"}, "invalid_payload", "a delay is a whole number and a unit"),
        ({"deliver_at": "2026-12-07T17:00:00"}, "invalid_payload", "needs an offset"),
        ({"deliver_at": "2020-01-01T00:00:00Z"}, "invalid_payload", "10 s to 7 days ahead"),
        ({"deliver_at": "next tuesday"}, "invalid_payload", "ISO 8601"),
        ({"delay": "1h", "deliver_at": "2030-01-01T00:00:00Z"}, "invalid_payload", "not both"),
        ({"delay": "1h", "key": "no spaces allowed"}, "invalid_payload", "key"),
    ],
)
async def test_a_time_out_of_range_or_unreadable_is_refused_with_a_sentence(
    hub: Hub, when: dict[str, Any], code: str, words: str
) -> None:
    alice = await hub.client(await hub.user("alice"))
    await hub.user("bob")

    ack = await alice.call("send_notification", {"to": "bob", "message": "hi", **when})

    assert ack["ok"] is False
    assert ack["error"]["code"] == code
    assert words in ack["error"]["message"]
    assert await hub.store.schedule.pending((await hub.store.get_user("alice")).id) == []  # type: ignore[union-attr]


async def test_the_limits_are_seven_days_and_the_pending_cap(hub_factory: Any) -> None:
    hub = await hub_factory(schedule_max_pending=2)
    alice = await hub.client(await hub.user("alice"))
    await hub.user("bob")
    week = f"{MAX_DELAY_SECONDS}s"

    acks = [await alice.call("send_notification", {"to": "bob", "message": str(n), "delay": week}) for n in range(3)]

    assert [ack["ok"] for ack in acks] == [True, True, False]
    assert acks[2]["error"]["code"] == "conflict"
    assert "schedule_max_pending" in acks[2]["error"]["message"]


async def test_cancel_by_key_stops_it_and_nobody_else_can_cancel_or_see_it(hub: Hub) -> None:
    clock = Shifted(hub)
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    mallory_token = await hub.user("mallory")
    mallory = await hub.client(mallory_token)
    bob = await hub.client(await hub.user("bob"), name="bob")
    kept = await alice.call("send_notification", {"to": "bob", "message": "kept", "delay": "1h", "key": "k-1"})
    gone = await alice.call("send_notification", {"to": "bob", "message": "gone", "delay": "1h", "key": "build-119"})

    theirs = await mallory.call("cancel_scheduled", {"key": "k-1"})
    listed_by_mallory = await call(hub, "GET", "/api/scheduled", token=mallory_token)
    cancelled = await alice.call("cancel_scheduled", {"key": "build-119"})
    again = await alice.call("cancel_scheduled", {"key": "build-119"})
    listed = await call(hub, "GET", "/api/scheduled", token=alice_token)
    clock.advance(3600)
    note = await bob.next("notification")

    assert kept["ok"] and gone["ok"]
    assert theirs["ok"] is False and theirs["error"]["code"] == "not_found"
    assert listed_by_mallory.body == {"scheduled": []}
    assert cancelled == {"ok": True, "cancelled": 1}
    assert again["error"]["code"] == "not_found"
    assert [(s["key"], s["message"], s["to"]) for s in listed.body["scheduled"]] == [("k-1", "kept", "bob")]
    assert listed.body["scheduled"][0]["schedule_id"] == kept["schedule_id"]
    assert note["message"] == "kept"
    assert await drain_until_marker(bob) == []  # the cancelled one never comes


async def test_scheduling_a_key_again_to_the_same_addressee_replaces_the_pending_one(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    await hub.user("bob")
    await hub.user("carol")

    for to, text in (("bob", "v1"), ("bob", "v2"), ("carol", "v1 for carol")):
        assert (await alice.call("send_notification", {"to": to, "message": text, "delay": "1h", "key": "k"}))["ok"]

    listed = await call(hub, "GET", "/api/scheduled", token=alice_token)
    assert sorted((s["to"], s["message"]) for s in listed.body["scheduled"]) == [
        ("bob", "v2"),
        ("carol", "v1 for carol"),
    ]


async def test_a_scheduled_send_is_checked_as_a_send_is(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))

    nobody = await alice.call("send_notification", {"to": "nobody", "message": "x", "delay": "1m"})
    everyone = await alice.call("broadcast", {"message": "x", "delay": "1m"})
    system = await alice.call("send_notification", {"to": "alice", "message": "x", "type": "system", "delay": "1m"})

    assert nobody["error"]["code"] == "not_found"
    assert everyone["error"]["code"] == "forbidden"
    assert system["error"]["code"] == "forbidden"


async def test_a_scheduled_send_is_checked_again_when_it_fires_and_dropped_if_no_longer_allowed(hub: Hub) -> None:
    clock = Shifted(hub)
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token, name="alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    assert (await alice.call("join_room", {"room": "plans"}))["ok"]
    assert (await bob.call("join_room", {"room": "plans"}))["ok"]
    refused = await alice.call("room_message", {"room": "plans", "message": "to the room, later", "delay": "30m"})
    allowed = await alice.call("send_notification", {"to": "bob", "message": "to bob, later", "delay": "31m"})
    # The room is restricted to bob meanwhile: alice may no longer send to it.
    await hub.store.create_room("plans", restricted=True, members=[(await hub.accounts.user("bob")).id])
    hub.delivery.room_cache.forget("plans")

    clock.advance(32 * 60)
    note = await bob.next("notification")  # due after the room's: stored after it, had it gone out
    in_room = bob.pending("room_notification")

    assert refused["scheduled"] is True and allowed["scheduled"] is True
    assert (note["message"], note["from"]) == ("to bob, later", "alice")
    assert in_room == []
    assert (await call(hub, "GET", "/api/scheduled", token=alice_token)).body == {"scheduled": []}


async def test_an_open_hub_schedules_with_the_claimed_identity(hub_factory: Any) -> None:
    hub = await hub_factory(open=True)
    clock = Shifted(hub)
    alice = await hub.client(auth={"userId": "alice"})
    bob = await hub.client(auth={"userId": "bob"}, name="bob")

    ack = await alice.call("send_notification", {"to": "bob", "message": "later, openly", "delay": "10m"})
    clock.advance(600)
    note = await bob.next("notification")

    assert ack["scheduled"] is True
    assert (note["from"], note["message"]) == ("alice", "later, openly")


async def test_a_retraction_cancels_the_waiting_send_of_its_key_to_that_addressee_only(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    await hub.user("bob")
    await hub.user("carol")
    for to in ("bob", "carol"):
        later = {"to": to, "message": f"build 7 for {to}", "delay": "1h", "key": "build-7"}
        assert (await alice.call("send_notification", later))["ok"]

    retracted = await alice.call("retract", {"key": "build-7", "to": "bob"})

    assert retracted == {"ok": True, "id": None, "retracts": [], "recipients": 0, "cancelled": 1}
    listed = await call(hub, "GET", "/api/scheduled", token=alice_token)
    assert [(s["to"], s["key"]) for s in listed.body["scheduled"]] == [("carol", "build-7")]


async def test_a_retraction_refused_by_the_rate_limit_cancels_nothing(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=1, rate_refill_per_second=0.001)
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    await hub.user("bob")
    later = {"to": "bob", "message": "build 8", "delay": "1h", "key": "build-8"}
    assert (await alice.call("send_notification", later))["ok"]  # spends alice's one send

    retracted = await alice.call("retract", {"key": "build-8", "to": "bob"})

    assert retracted["error"]["code"] == "rate_limited"
    listed = await call(hub, "GET", "/api/scheduled", token=alice_token)
    assert [(s["to"], s["key"]) for s in listed.body["scheduled"]] == [("bob", "build-8")]


async def test_a_scheduled_send_with_a_key_replaces_the_version_sent_before_when_it_fires(hub: Hub) -> None:
    clock = Shifted(hub)
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"), name="bob")
    first = await alice.call("send_notification", {"to": "bob", "message": "build 8 running", "key": "build-8"})
    assert (await bob.next("notification"))["id"] == first["id"]
    later = {"to": "bob", "message": "build 8: nightly report", "delay": "30m", "key": "build-8"}
    assert (await alice.call("send_notification", later))["scheduled"]

    clock.advance(30 * 60)
    fired = await bob.next("notification")

    assert (fired["message"], fired["key"], fired["replaces"], fired["edited"]) == (
        "build 8: nightly report",
        "build-8",
        first["id"],
        True,
    )
