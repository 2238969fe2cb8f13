"""Updates and retractions by key in the tray app's core and client (no Qt): a new version updates its
toast in place and takes the old one's place in the history, marked edited; a retraction closes the
toast and drops the history entry. Read back from a real history database; the last test has a
real hub send them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.core.connection import Backoff
from desktop.core.edits import Retraction, edited_note
from desktop.core.history import AsyncHistory, HistoryStore, StoredNotification
from desktop.core.inbox import Change, Inbox
from desktop.core.models import ReceivedNotification
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.net.client import HubClient
from hub.protocol import Kind
from tests.support.hubs import Hub
from tests.support.notes import note, wire
from tests.support.waiting import Changes, FakeClock


@pytest.fixture
async def inbox(tmp_path: Path) -> AsyncIterator[Inbox[ToastPolicy]]:
    history = await AsyncHistory.open(tmp_path / "h.sqlite3")
    yield Inbox(history, UnreadCounter(), ToastPolicy(clock=FakeClock()))
    await history.close()


def running() -> ReceivedNotification:
    return note(5, title="Build 119", message="running…", key="build-119")


def passed() -> ReceivedNotification:
    return note(9, "success", title="Build 119", message="passed", key="build-119", replaces=5, edited=True)


async def messages(inbox: Inbox[ToastPolicy]) -> list[tuple[int, str, bool]]:
    entries = await inbox.history.entries()
    return [
        (e.notification.id, e.notification.message, e.notification.edited)
        for e in entries
        if isinstance(e, StoredNotification)
    ]


def test_the_key_fields_are_read_from_the_wire_and_a_bad_one_is_left_out() -> None:
    got = ReceivedNotification.from_wire(wire(9, key="build-119", replaces=5, edited=True))
    odd = ReceivedNotification.from_wire(wire(9, key=["no"], replaces="x"))

    assert (got.key, got.replaces, got.edited) == ("build-119", 5, True)
    assert (odd.key, odd.replaces, odd.edited) == (None, None, False)
    assert (edited_note(got.edited), edited_note(odd.edited)) == (" · edited", "")


async def test_a_new_version_updates_its_toast_in_place_and_its_history_entry(inbox: Inbox[ToastPolicy]) -> None:
    changes: list[Change] = []
    inbox.subscribe(changes.append)
    await inbox.receive(running())
    key = inbox.toasts.view().visible[0].key

    assert await inbox.receive(passed())

    [toast] = inbox.toasts.view().visible
    assert (toast.key, toast.message, toast.style, toast.notification_id) == (key, "passed", "success", 9)
    assert await messages(inbox) == [(9, "passed", True)]
    assert inbox.unread.count == 1
    assert changes == [Change.ARRIVED, Change.EDITED]
    assert not await inbox.receive(running())  # a replay of the old version does not come back


async def test_a_new_version_of_a_closed_toast_pops_one_toast(inbox: Inbox[ToastPolicy]) -> None:
    await inbox.receive(running())
    inbox.toasts.dismiss_all()

    await inbox.receive(passed())

    assert [t.message for t in inbox.toasts.view().visible] == ["passed"]


async def test_a_retraction_closes_the_toast_and_drops_the_history_entry(inbox: Inbox[ToastPolicy]) -> None:
    changes: list[Change] = []
    await inbox.receive(running())
    await inbox.receive(note(6, message="lunch?"))
    inbox.subscribe(changes.append)

    await inbox.retracted(Retraction(id=10, key="build-119", retracts=(5,), sender="alice"))
    await inbox.retracted(Retraction(id=11, key="build-119", retracts=(5,), sender="alice"))  # nothing left

    assert [t.message for t in inbox.toasts.view().visible] == ["lunch?"]
    assert await messages(inbox) == [(6, "lunch?", False)]
    assert inbox.unread.count == 1
    assert changes == [Change.EDITED]
    assert not await inbox.receive(running())  # retracted: a replay never brings it back


async def test_a_retraction_also_drops_an_older_version_this_device_held_when_it_missed_the_newer(
    inbox: Inbox[ToastPolicy],
) -> None:
    await inbox.receive(running())  # then this device was away while 9 replaced 5 and 9 was retracted
    await inbox.receive(note(7, message="lunch?"))
    in_ops = note(8, kind=Kind.ROOM, room="ops", message="ops: running…", key="build-119")
    await inbox.receive(in_ops)  # the same key to a room is another notification's

    await inbox.retracted(Retraction(id=12, key="build-119", retracts=(9,), sender="alice"))

    assert [t.message for t in inbox.toasts.view().visible] == ["ops: running…", "lunch?"]
    assert await messages(inbox) == [(8, "ops: running…", False), (7, "lunch?", False)]


async def test_a_version_that_replaces_one_never_received_still_takes_the_older_ones_place(
    inbox: Inbox[ToastPolicy],
) -> None:
    await inbox.receive(running())  # then this device was away while 9 replaced 5, and 12 replaced 9
    third = note(12, "success", title="Build 119", message="deployed", key="build-119", replaces=9, edited=True)

    assert await inbox.receive(third)

    assert await messages(inbox) == [(12, "deployed", True)]
    assert not await inbox.receive(running())  # replaced: a replay never brings it back


def test_the_history_keeps_edited_across_a_restart(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(running())
    store.add(passed())
    store.close()

    again = HistoryStore(tmp_path / "h.sqlite3")
    entry = again.get(9)
    assert entry is not None and (entry.notification.key, entry.notification.edited) == ("build-119", True)
    assert again.get(5) is None
    again.close()


def test_a_malformed_retraction_is_refused() -> None:
    with pytest.raises(ValueError, match="malformed retraction"):
        Retraction.from_wire({"id": 3, "key": "k"})
    assert Retraction.from_wire({"id": 3, "key": "k", "retracts": [1, 2], "from": "alice"}).retracts == (1, 2)


async def test_from_a_real_hub_the_update_and_the_retraction_reach_the_toast_and_history(
    hub: Hub, inbox: Inbox[ToastPolicy]
) -> None:
    alice = await hub.client(await hub.user("alice"))
    shown = Changes()
    inbox.subscribe(lambda _change: shown.poke())
    client = HubClient(
        hub.url,
        await hub.user("bob"),
        on_notification=inbox.receive,
        on_retract=inbox.retracted,
        backoff=Backoff(initial=0.05, maximum=0.2),
    )
    client.start()
    try:
        build = {"to": "bob", "key": "build-119", "title": "Build 119"}
        first = await alice.call("send_notification", {**build, "message": "running…"})
        await shown.until(lambda: len(inbox.toasts.view().visible) == 1)
        second = await alice.call("send_notification", {**build, "message": "passed", "type": "success"})
        await shown.until(lambda: inbox.toasts.view().visible[0].message == "passed")
        assert [t.notification_id for t in inbox.toasts.view().visible] == [second["id"]]
        assert await messages(inbox) == [(second["id"], "passed", True)] and first["id"] < second["id"]

        assert (await alice.call("retract", {"key": "build-119", "to": "bob"}))["ok"]
        await shown.until(lambda: not inbox.toasts.view().visible)
        assert await messages(inbox) == []
    finally:
        await client.stop()
