"""The tray app's list of pending scheduled sends, and Cancel, against a real hub on a free port (no screen):
`ScheduledSends` asks `GET /api/scheduled` and `DELETE /api/scheduled/{key}`, `rows` says what the window shows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desktop.core.later import shown_moment
from desktop.core.scheduled import PendingSend, later_key, rows, summary
from desktop.errors import HubRefusedError, HubUnreachableError
from desktop.net.scheduled import ScheduledSends
from tests.support.hubs import Hub
from tests.support.ports import free_port


async def test_the_pending_sends_are_listed_soonest_first_in_local_time_and_one_is_cancelled(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    alice = await hub.client(token)
    now = datetime.now().astimezone()
    later, sooner = now + timedelta(hours=2), now + timedelta(minutes=30)
    for body in (
        {"to": "bob", "title": "Stand-up", "message": "in  5\nminutes", "deliver_at": later.isoformat(), "key": "k1"},
        {"to": "bob", "message": "lunch?", "delay": "30m", "key": "k2"},
    ):
        ack = await alice.call("send_notification", body)
        assert ack["ok"] and ack["scheduled"], ack
    api = ScheduledSends(hub.url, token)
    assert token not in repr(api)

    shown = rows(await api.pending(), now)
    assert [(r.to, r.text, r.key) for r in shown] == [("bob", "lunch?", "k2"), ("bob", "Stand-up: in 5 minutes", "k1")]
    assert shown[0].when in {shown_moment(sooner, now), shown_moment(sooner + timedelta(minutes=1), now)}
    assert shown[1].when == shown_moment(later, now)  # local time: "17:00", or "tomorrow 01:30"

    assert await api.cancel("k2") == 1
    assert [r.key for r in rows(await api.pending(), now)] == ["k1"]
    with pytest.raises(HubRefusedError) as info:
        await api.cancel("k2")  # gone: nothing pending under that key any more
    assert info.value.code == "not_found"


async def test_nobody_sees_or_cancels_anothers_scheduled_sends(hub: Hub) -> None:
    alice_token, bob_token = await hub.user("alice"), await hub.user("bob")
    alice = await hub.client(alice_token)
    ack = await alice.call("send_notification", {"to": "bob", "message": "later", "delay": "1h", "key": "mine"})
    assert ack["ok"], ack
    bob = ScheduledSends(hub.url, bob_token)
    assert await bob.pending() == []
    with pytest.raises(HubRefusedError) as info:
        await bob.cancel("mine")
    assert info.value.code == "not_found"
    assert [p.key for p in await ScheduledSends(hub.url, alice_token).pending()] == ["mine"]


async def test_a_revoked_token_and_a_hub_out_of_reach_are_clear_errors(hub: Hub) -> None:
    with pytest.raises(HubRefusedError) as info:
        await ScheduledSends(hub.url, "not-a-token").pending()
    assert info.value.code == "unauthorized"
    with pytest.raises(HubUnreachableError, match="Cannot reach the hub"):
        await ScheduledSends(f"http://127.0.0.1:{free_port()}", "x", timeout=5).pending()


def test_a_send_without_a_key_cannot_be_cancelled_and_keys_from_compose_differ() -> None:
    now = datetime.now().astimezone()
    item = {"schedule_id": 3, "key": None, "deliver_at": "2026-12-07T16:00:00.000Z", "kind": "room", "room": "ops",
            "to": None, "type": "info", "title": "", "message": "deploy"}  # fmt: skip
    [row] = rows([PendingSend.from_wire(item)], now)
    assert (row.to, row.text, row.key) == ("#ops", "deploy", "")
    assert summary(0).startswith("Nothing scheduled")
    assert summary(2) == "2 scheduled sends, soonest first."
    keys = {later_key() for _ in range(50)}
    assert len(keys) == 50 and all(k.startswith("tray-") for k in keys)
    with pytest.raises(ValueError):
        PendingSend.from_wire({**item, "deliver_at": "2026-12-07T16:00:00"})  # no offset
