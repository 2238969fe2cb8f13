"""Received notifications: stored once, counted once, toasted once; gaps said once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.core.history import AsyncHistory, GapMarker
from desktop.core.inbox import GAP_HINT, GAP_TITLE, Change, Inbox
from desktop.core.models import Gap
from desktop.core.toasts import ToastKind, ToastPolicy
from desktop.core.unread import UnreadCounter
from hub.protocol import NotificationType
from tests.support.notes import note
from tests.support.waiting import FakeClock


@pytest.fixture
async def inbox(tmp_path: Path) -> AsyncIterator[Inbox[ToastPolicy]]:
    history = await AsyncHistory.open(tmp_path / "h.sqlite3")
    yield Inbox(history, UnreadCounter(), ToastPolicy(clock=FakeClock()))
    await history.close()


async def test_a_replay_is_never_shown_twice(inbox: Inbox[ToastPolicy]) -> None:
    changes: list[Change] = []
    inbox.subscribe(changes.append)
    assert await inbox.receive(note(1, "error"))
    assert not await inbox.receive(note(1, "error"))
    assert inbox.unread.count == 1
    assert len(inbox.toasts.view().visible) == 1
    assert changes == [Change.ARRIVED]


async def test_load_restores_the_unread_count_and_resume_point(inbox: Inbox[ToastPolicy]) -> None:
    assert await inbox.load() is None
    await inbox.receive(note(4))
    await inbox.receive(note(9))
    inbox.unread.reset_to(0)
    assert await inbox.load() == 9
    assert inbox.unread.count == 2


async def test_mark_all_read_clears_the_badge(inbox: Inbox[ToastPolicy]) -> None:
    counts: list[int] = []
    inbox.unread.subscribe(counts.append)
    await inbox.receive(note(1))
    await inbox.receive(note(2))
    await inbox.mark_all_read()
    assert counts == [1, 2, 0]
    assert await inbox.history.unread_count() == 0


async def test_a_gap_is_toasted_once_and_marked_in_the_history(inbox: Inbox[ToastPolicy]) -> None:
    await inbox.receive(note(3))
    inbox.toasts.dismiss_all()
    await inbox.gap(Gap(3, 8, "5 notifications expired before this device came back"))
    await inbox.gap(Gap(3, 8, "5 notifications expired before this device came back"))
    view = inbox.toasts.view()
    (toast,) = view.visible
    assert toast.kind is ToastKind.NOTICE
    assert toast.title == GAP_TITLE
    assert toast.hint == GAP_HINT
    entries = await inbox.history.entries()
    assert isinstance(entries[0], GapMarker)


async def test_a_first_sign_in_marks_old_losses_without_a_toast(inbox: Inbox[ToastPolicy]) -> None:
    await inbox.gap(Gap(0, 40, "removed by retention"))
    assert inbox.toasts.view().visible == ()
    assert isinstance((await inbox.history.entries())[0], GapMarker)


async def test_marks_and_deletes_keep_the_badge_in_step(inbox: Inbox[ToastPolicy]) -> None:
    changes: list[Change] = []
    inbox.subscribe(changes.append)
    for i, ntype in enumerate(["info", "error", "error", "warning"], start=1):
        await inbox.receive(note(i, ntype))
    assert await inbox.mark_all_read(types={NotificationType.ERROR}) == 2
    assert inbox.unread.count == 2  # the info and the warning
    assert await inbox.set_read([2], False) == 1
    assert inbox.unread.count == 3
    assert await inbox.delete([1, 2]) == 2
    assert inbox.unread.count == 1
    assert await inbox.clear() == 2
    assert inbox.unread.count == 0
    assert changes[4:] == [Change.READ, Change.READ, Change.DELETED, Change.DELETED]
