"""Read state in the tray app's core (no Qt, no hub): the hub's count on the badge, marks from other
devices in the history, and what a mark sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.core.history import AsyncHistory, StoredNotification
from desktop.core.inbox import Change, Inbox
from desktop.core.readstate import ReadMarks, Receipt, ReceiptState, mark_all_request, mark_requests
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from tests.support.notes import note
from tests.support.waiting import FakeClock


@pytest.fixture
async def inbox(tmp_path: Path) -> AsyncIterator[Inbox[ToastPolicy]]:
    history = await AsyncHistory.open(tmp_path / "h.sqlite3")
    yield Inbox(history, UnreadCounter(), ToastPolicy(clock=FakeClock()))
    await history.close()


def marks(row: int, unread: int, upto: int, *, ids: tuple[int, ...] = (), all_upto: int | None = None) -> ReadMarks:
    wire: dict[str, object] = {"id": row, "unread": unread, "unread_upto": upto}
    wire.update({"all": True, "upto": all_upto} if all_upto is not None else {"ids": list(ids)})
    return ReadMarks.from_wire(wire)


async def test_the_badge_shows_the_hubs_count_and_a_replay_it_covers_adds_nothing(inbox: Inbox[ToastPolicy]) -> None:
    inbox.welcome(2, 10)  # the hub: two unread, counting up to id 10
    for nid in (9, 10):  # the catch-up after the welcome: already in the hub's count
        await inbox.receive(note(nid))
    await inbox.receive(note(11))  # newer than the count: adds

    assert inbox.unread.count == 3


async def test_marks_from_another_device_mark_the_history_and_set_the_badge(inbox: Inbox[ToastPolicy]) -> None:
    changes: list[Change] = []
    inbox.subscribe(changes.append)
    inbox.welcome(5, 5)
    for nid in range(1, 6):
        await inbox.receive(note(nid))

    await inbox.read_elsewhere(marks(7, unread=3, upto=6, ids=(2, 4)))
    assert inbox.unread.count == 3
    await inbox.receive(note(8))  # after a change the badge counts the history: a new one adds
    await inbox.read_elsewhere(marks(9, unread=1, upto=8, all_upto=5))
    read = {e.notification.id for e in await inbox.history.entries() if isinstance(e, StoredNotification) and e.read}

    assert read == {1, 2, 3, 4, 5}
    assert inbox.unread.count == 1
    assert changes.count(Change.MARKED) == 2 and inbox.last_marks is not None and inbox.last_marks.id == 9


async def test_the_echo_of_our_own_mark_does_not_undo_a_later_unread_mark(inbox: Inbox[ToastPolicy]) -> None:
    for nid in (1, 2):
        await inbox.receive(note(nid))
    await inbox.set_read([1], True)
    inbox.own_marks.sent([1])  # what the session does as it tells the hub
    await inbox.set_read([1], False)  # "Mark as unread", here only

    await inbox.read_elsewhere(marks(3, unread=1, upto=2, ids=(1,)))  # the hub tells every device, us too
    await inbox.read_elsewhere(marks(4, unread=0, upto=3, ids=(2,)))  # another device's: applied

    stored = await inbox.history.get(1)
    assert stored is not None and not stored.read
    assert inbox.unread.count == 1


def test_a_mark_is_one_message_up_to_the_hubs_limit_and_mark_all_is_one() -> None:
    assert mark_requests([3, 1, 3]) == [{"ids": [1, 3]}]
    many = mark_requests(list(range(1, 1201)))
    assert [len(m["ids"]) for m in many] == [500, 500, 200]
    assert mark_all_request(42) == {"all": True, "upto": 42}


@pytest.mark.parametrize(
    "wire",
    [{}, {"id": 1, "unread": 0, "unread_upto": 1}, {"id": "x", "ids": [1], "unread": 0, "unread_upto": 1}],
)
def test_a_malformed_read_event_is_refused(wire: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="malformed read event"):
        ReadMarks.from_wire(wire)


def receipt(event: int, status: str, user: str | None, **totals: int) -> Receipt:
    counts = {"addressees": 1, "delivered": 1, "delivered_devices": 1, "seen": 0, **totals}
    return Receipt.from_wire(
        {"id": event, "notification_id": 5, "status": status, "user": user, "devices": 1, **counts}
    )


def test_receipts_read_as_delivered_to_and_seen_by_in_any_order() -> None:
    state = ReceiptState(5)
    assert state.text() == "Not delivered yet · Not seen yet"
    later = receipt(9, "seen", "bob", delivered_devices=2, seen=1)
    earlier = receipt(7, "delivered", "bob")
    state = state.with_receipt(later).with_receipt(earlier).with_receipt(later)  # replayed, out of order
    assert state.text() == "Delivered to bob (2 devices) · Seen by bob"
    counts = ReceiptState(5).with_receipt(receipt(3, "seen", None, addressees=12, delivered=3, seen=2))
    assert counts.text() == "Delivered to 3 of 12 · Seen by 2 of 12"
    with pytest.raises(ValueError, match="malformed receipt"):
        Receipt.from_wire({"id": 1, "notification_id": 5, "status": "opened"})


async def test_a_sent_notification_is_kept_read_without_moving_the_resume_point(inbox: Inbox[ToastPolicy]) -> None:
    await inbox.receive(note(3))
    assert await inbox.history.add_sent(note(8, sender="me"))
    await inbox.receipt(receipt(9, "delivered", "bob"))

    assert await inbox.history.last_id() == 3  # a notification to us with id 4..7 may still come
    assert inbox.unread.count == 1
    kept = await inbox.history.receipt(5)
    assert kept is not None and kept.delivered_to == ("bob",)
