"""Updates and retractions on screen (offscreen Qt): the new version replaces the text of the toast
on screen, in the same widget, saying "edited"; a retraction closes it; the history window marks
the edited entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

from desktop.core.history import StoredNotification
from desktop.core.toasts import ToastPolicy
from desktop.ui.history_window import HistoryWindow
from desktop.ui.toast_stack import ToastStack
from tests.support.notes import note
from tests.support.waiting import FakeClock

NOW = datetime(2026, 11, 25, 9, 0, 20, tzinfo=UTC)
RUNNING = note(5, "info", title="Build 119", message="running…", sender="ci", key="build-119")
PASSED = note(9, "success", title="Build 119", message="passed", sender="ci", key="build-119", replaces=5, edited=True)


@pytest.fixture
def stack(qtbot: QtBot) -> Iterator[ToastStack]:
    s = ToastStack(ToastPolicy(clock=FakeClock()), wall_clock=lambda: NOW, area=lambda: QRect(0, 0, 1280, 800))
    yield s
    s.close_all()
    for toast in list(s.toasts.values()):
        toast.deleteLater()


def test_a_new_version_changes_the_toast_on_screen_in_place(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(RUNNING)
    (before,) = stack.visible_toasts()
    assert before.message.text() == "running…"

    stack.policy.push(PASSED)

    (after,) = stack.visible_toasts()
    assert after is before  # the same toast, no second one
    assert (after.message.text(), after.frame.property("ntype"), after.icon_name) == ("passed", "success", "success")
    assert after.meta.text() == "ci · just now · edited"


def test_a_retraction_closes_the_toast(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(RUNNING)
    stack.policy.push(note(6, "message", message="lunch?", sender="bob"))
    assert len(stack.visible_toasts()) == 2

    stack.policy.withdraw([5])

    assert [t.message.text() for t in stack.visible_toasts()] == ["lunch?"]


def test_the_history_marks_the_edited_entry(qtbot: QtBot) -> None:
    window = HistoryWindow()
    qtbot.addWidget(window)
    window.set_entries([StoredNotification(PASSED, read=False), StoredNotification(note(2), read=True)], NOW)
    window.show()

    assert window.model.index(0, 4).data().endswith(" · edited")
    assert not window.model.index(1, 4).data().endswith("edited")
    window.select_notification(9)
    assert window.detail.time_label.text().endswith(" · edited")
