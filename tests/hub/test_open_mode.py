"""`--open`: the seed guide's trusted-LAN mode, where clients name themselves."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support.clients import drain_until_marker
from tests.support.hubs import Hub


async def open_hub(hub_factory: Any) -> Hub:
    hub: Hub = await hub_factory(open=True)
    return hub


async def test_seed_guide_flow_authenticate_then_send_without_acks(hub_factory: Any) -> None:
    hub = await open_hub(hub_factory)
    alice = await hub.client(None)  # connects with no auth at all, as the seed guide's page does
    bob = await hub.client(None, name="bob")

    await alice.sio.emit("authenticate", {"userId": "alice", "username": "Alice"})
    await bob.sio.emit("authenticate", {"userId": "bob", "username": "Bob"})
    await bob.next("welcome")
    await alice.sio.emit("send_notification", {"userId": "bob", "message": "hello bob", "type": "info"})

    got = await drain_until_marker(bob)
    assert [(n["from"], n["message"], n["type"]) for n in got] == [("alice", "hello bob", "info")]


async def test_claimed_identities_are_never_admins(hub_factory: Any) -> None:
    hub = await open_hub(hub_factory)
    await hub.user("root", admin=True)
    claimer = await hub.client(auth={"userId": "root"})

    answer = await claimer.call("broadcast", {"message": "hi"})

    assert answer["error"]["code"] == "forbidden"


async def test_tokens_still_work_in_open_mode(hub_factory: Any) -> None:
    hub = await open_hub(hub_factory)
    root = await hub.client(await hub.user("root", admin=True))

    assert (await root.call("broadcast", {"message": "hi all"}))["ok"]


async def test_offline_queue_for_a_named_user_arrives_once(hub_factory: Any) -> None:
    hub = await open_hub(hub_factory)
    alice = await hub.client(auth={"userId": "alice"})
    await hub.client(auth={"userId": "bob"})  # bob exists once he has been seen
    await hub.clients[-1].close()
    assert (await alice.next("user_offline"))["userId"] == "bob"
    for i in range(3):
        await alice.call("send_notification", {"userId": "bob", "message": f"m{i}"})

    bob = await hub.client(auth={"userId": "bob", "username": "Bob"}, name="bob")
    assert [n["message"] for n in await drain_until_marker(bob)] == ["m0", "m1", "m2"]
    await bob.close()
    again = await hub.client(auth={"userId": "bob"}, name="bob")
    assert await drain_until_marker(again) == []


async def test_events_right_after_authenticate_are_handled_in_order(hub_factory: Any) -> None:
    hub = await open_hub(hub_factory)
    bob = await hub.client(auth={"userId": "bob"}, name="bob")
    alice = await hub.client(None)

    await alice.sio.emit("authenticate", {"userId": "alice"})  # no waiting, as the seed page does
    await alice.sio.emit("join_room", "dev")
    await alice.sio.emit("send_notification", {"userId": "bob", "message": "right away"})
    # Events of one connection are handled in order: once this answers, the three above are done.
    assert (await alice.call("list_rooms"))["rooms"] == [
        {"name": "dev", "restricted": False, "member": True, "members": 1}
    ]

    assert [n["message"] for n in await drain_until_marker(bob)] == ["right away"]
    assert alice.pending("error") == []


async def test_a_name_never_seen_gets_its_queue_when_it_first_connects(hub_factory: Any) -> None:
    hub = await open_hub(hub_factory)
    alice = await hub.client(auth={"userId": "alice"})

    answer = await alice.call("send_notification", {"userId": "carol", "message": "welcome aboard"})

    assert answer["ok"]
    carol = await hub.client(auth={"userId": "carol"}, name="carol")
    assert [n["message"] for n in await drain_until_marker(carol)] == ["welcome aboard"]


async def test_open_mode_logs_a_warning_and_token_mode_does_not(
    hub_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="hub"):
        await hub_factory()
        assert not [r for r in caplog.records if "OPEN MODE" in r.getMessage()]
        await open_hub(hub_factory)
    warnings = [r for r in caplog.records if "OPEN MODE" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "trusted LAN" in warnings[0].getMessage()
