"""Read state across the tray app's devices, against the real hub (desktop.net + desktop.core, no Qt):
marking read on one device marks it on the other live, "Mark all read" is one message, and the badge
shows the hub's unread count after the welcome."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.compose import ComposeDraft, Recipient, TargetKind
from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.history import StoredNotification
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.net.session import HubSession
from hub.protocol import NotificationType
from tests.support.hubs import Hub
from tests.support.waiting import Changes


class Devices(Changes):
    """Tray sessions of one test, each a device with its own history folder."""

    def __init__(self, hub: Hub, folder: Path) -> None:
        super().__init__()
        self.hub = hub
        self.folder = folder
        self.sessions: list[HubSession] = []

    async def open(self, user: str, token: str) -> HubSession:
        states: list[ConnectionStatus] = []
        unread = UnreadCounter()
        unread.subscribe(lambda _count: self.poke())

        def on_state(status: ConnectionStatus) -> None:
            states.append(status)
            self.poke()

        session = await HubSession.open(
            hub_url=self.hub.url,
            username=user,
            token=token,
            data_dir=self.folder / f"device{len(self.sessions)}",
            toasts=ToastPolicy(),
            unread=unread,
            on_state=on_state,
        )
        session.inbox.subscribe(lambda _change: self.poke())
        self.sessions.append(session)
        await self.until(lambda: bool(states) and states[-1].state is ConnectionState.CONNECTED)
        return session


@pytest.fixture
async def devices(hub: Hub, tmp_path: Path) -> AsyncIterator[Devices]:
    got = Devices(hub, tmp_path)
    yield got
    for session in got.sessions:
        await session.close()


async def held(devices: Devices, session: HubSession, upto: int) -> None:
    """Wait until the device has handled everything up to `upto` (its resume point passed it)."""
    client = session.client
    assert client is not None
    await devices.until(lambda: (client.last_id or 0) >= upto)


async def read_ids(session: HubSession) -> set[int]:
    return {e.notification.id for e in await session.history.entries() if isinstance(e, StoredNotification) and e.read}


async def test_a_mark_on_one_device_reaches_the_other_and_mark_all_is_one_message(hub: Hub, devices: Devices) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    laptop = await devices.open("bob", bob_token)
    phone = await devices.open("bob", await hub.token("bob"))
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"n{n}"}))["id"] for n in range(4)]
    await held(devices, laptop, ids[-1])
    await held(devices, phone, ids[-1])

    await laptop.mark_read([ids[1]])
    await devices.until(lambda: phone.inbox.unread.count == 3)
    assert await read_ids(phone) == {ids[1]}

    sent: list[Any] = []
    phone_client = phone.client
    assert phone_client is not None
    real_call = phone_client.call

    async def counting(event: str, data: Any = None, **kw: Any) -> dict[str, Any]:
        sent.append((event, data))
        return await real_call(event, data, **kw)

    phone_client.call = counting  # type: ignore[method-assign]
    await phone.mark_all_read()
    await devices.until(lambda: laptop.inbox.unread.count == 0)
    assert sent == [("mark_read", {"all": True, "upto": ids[3]})]
    assert await read_ids(laptop) == set(ids)


async def test_the_badge_shows_the_hubs_unread_count_after_the_welcome(hub: Hub, devices: Devices) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"n{n}"}))["id"] for n in range(3)]
    mark = await bob.call("mark_read", {"ids": [ids[0]]})  # read on another device before this one connected

    fresh = await devices.open("bob", await hub.token("bob"))
    await held(devices, fresh, mark["id"])  # the notifications and the mark, in its catch-up

    assert fresh.inbox.unread.count == 2
    assert await read_ids(fresh) == {ids[0]}


async def test_a_sent_notification_with_a_receipt_shows_delivered_and_seen_in_the_senders_history(
    hub: Hub, devices: Devices
) -> None:
    alice = await devices.open("alice", await hub.user("alice"))
    bob = await hub.client(auth={"token": await hub.user("bob"), "last_id": 0})  # a device that acks
    draft = ComposeDraft(
        Recipient(TargetKind.USER, "bob"), NotificationType.WARNING, "Disk", "db-1 at 95%", receipt=True
    )

    answer = await alice.send(draft)
    got = await bob.next("notification")
    await bob.call("ack", {"id": got["id"]})
    await bob.call("seen", {"ids": [got["id"]]})
    await devices.until(lambda: alice.inbox.last_receipt is not None and alice.inbox.last_receipt.seen == 1)

    kept = await alice.history.get(answer["id"])
    receipt = await alice.history.receipt(answer["id"])
    assert kept is not None and kept.read and kept.notification.sender == "alice" and got["receipt"] is True
    assert receipt is not None and receipt.text() == "Delivered to bob · Seen by bob"
    assert await alice.history.sent_to(answer["id"]) == "bob"  # the detail pane says "To bob"


async def test_a_room_send_with_a_receipt_is_kept_as_sent_to_the_room_with_counts(hub: Hub, devices: Devices) -> None:
    alice_token = await hub.user("alice")
    alice = await devices.open("alice", alice_token)
    members = [await hub.client(auth={"token": await hub.user(name), "last_id": 0}) for name in ("bob", "carol")]
    for client in (await hub.client(alice_token), *members):
        assert (await client.call("join_room", {"room": "ops"}))["ok"]
    draft = ComposeDraft(Recipient(TargetKind.ROOM, "ops"), NotificationType.INFO, "Deploy", "api 2.14", receipt=True)

    answer = await alice.send(draft)
    for client in members:
        got = await client.next("room_notification")
        await client.call("ack", {"id": got["id"]})
    await members[0].call("seen", {"ids": [answer["id"]]})
    await devices.until(lambda: alice.inbox.last_receipt is not None and alice.inbox.last_receipt.seen == 1)

    kept = await alice.history.get(answer["id"])
    assert kept is not None and kept.read and (kept.notification.sender, kept.notification.room) == ("alice", "ops")
    assert await alice.history.sent_to(answer["id"]) == "#ops"
    receipt = await alice.history.receipt(answer["id"])
    assert receipt is not None and receipt.text() == "Delivered to 2 of 2 · Seen by bob"


async def test_a_send_later_with_a_receipt_is_scheduled_and_not_kept_until_it_is_sent(
    hub: Hub, devices: Devices
) -> None:
    alice = await devices.open("alice", await hub.user("alice"))
    await hub.user("bob")
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    later = ComposeDraft(Recipient(TargetKind.USER, "bob"), NotificationType.INFO, "", "stand-up", receipt=True,
                         deliver_at=at, key="tray-0123456789ab")  # fmt: skip

    answer = await alice.send(later)  # the hub's answer has no notification id yet: nothing to keep

    assert answer["scheduled"] is True and isinstance(answer["schedule_id"], int)
    assert await alice.history.counts() == (0, 0)
