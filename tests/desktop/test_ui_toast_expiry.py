"""Toasts leave once they are due, with no hover needed: real timers, the pointer where a test puts it.

Each test reproduces a way toasts used to stay on screen for good: a timer that fires early, a burst
folding the toast under the pointer into its summary, a pointer that leaves with its leave event lost
(a menu closed over a toast). The window system's enter and leave events are sent as it sends them;
the pointer's position is a `Pointer` the test moves, so nothing else makes up events.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.toasts import ToastPolicy
from desktop.ui.menu import AppMenu, MenuState
from desktop.ui.toast_stack import HOVER_CHECK_MS, ToastStack
from hub.protocol import NotificationType
from tests.support.notes import note
from tests.support.waiting import FakeClock

SHORT = 0.3  # seconds on screen for info toasts in these tests
GONE_WITHIN_MS = 5_000  # what waitUntil allows: far beyond SHORT, the summary's time and a hover check


class Pointer:
    """Where the pointer is on screen; moving it sends no event (the tests send the window system's own)."""

    def __init__(self) -> None:
        self.at = QPoint(5, 795)  # far from the toasts, in the other corner

    def __call__(self) -> QPoint:
        return self.at


class SlowClock:
    """A monotonic clock running 5 % slow: every timer fires early by its measure, as Qt's coarse ones may."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self) -> float:
        return self.start + (time.monotonic() - self.start) * 0.95


def make_stack(clock: object, pointer: Pointer) -> ToastStack:
    policy = ToastPolicy(
        clock=clock,  # type: ignore[arg-type]
        auto_dismiss={NotificationType.INFO: SHORT, NotificationType.ERROR: None},
        summary_timeout=0.5,
    )
    return ToastStack(policy, area=lambda: QRect(0, 0, 1280, 800), pointer=pointer)


@pytest.fixture
def pointer() -> Pointer:
    return Pointer()


@pytest.fixture
def stack(qtbot: QtBot, pointer: Pointer) -> Iterator[ToastStack]:
    s = make_stack(time.monotonic, pointer)
    yield s
    s.close_all()


def enter(widget: QWidget, pointer: Pointer) -> None:
    """The pointer comes over `widget`: it moves there and the window system says so."""
    pointer.at = widget.frameGeometry().center()
    local = QPointF(widget.mapFromGlobal(pointer.at))
    QApplication.sendEvent(widget, QEnterEvent(local, local, QPointF(pointer.at)))


def gone(stack: ToastStack) -> bool:
    return not stack.toasts and not stack.more.isVisible()


def test_a_timer_that_fires_early_is_armed_again(qtbot: QtBot, pointer: Pointer) -> None:
    stack = make_stack(SlowClock(), pointer)
    try:
        stack.policy.push(note(1, "info"))
        assert stack.expiry_timer.isActive()
        qtbot.waitUntil(lambda: gone(stack), timeout=GONE_WITHIN_MS)
    finally:
        stack.close_all()


def test_an_early_expiry_arms_the_timer_for_what_is_left(qtbot: QtBot, pointer: Pointer) -> None:
    clock = FakeClock()
    stack = make_stack(clock, pointer)
    try:
        stack.policy.push(note(1, "info"))
        assert stack.expiry_timer.interval() == SHORT * 1000
        clock.advance(SHORT - 0.004)
        stack.expiry_timer.timeout.emit()  # the timer fired 4 ms early: nothing is due yet
        assert len(stack.visible_toasts()) == 1
        assert stack.expiry_timer.isActive()
        assert stack.expiry_timer.interval() == 4
        clock.advance(0.004)
        stack.expiry_timer.timeout.emit()
        assert gone(stack)
    finally:
        stack.close_all()


def test_a_burst_folding_the_toast_under_the_pointer_leaves_no_pause(
    qtbot: QtBot, stack: ToastStack, pointer: Pointer
) -> None:
    for i in range(1, 4):
        stack.policy.push(note(i, "info"))
    second = stack.visible_toasts()[1]
    enter(second, pointer)  # the pointer rests on the second toast
    assert stack.policy.paused
    for i in range(4, 8):  # more than five within a second: all of them fold into one summary
        stack.policy.push(note(i, "info"))
    (summary,) = stack.visible_toasts()
    assert summary.title.text() == "7 new notifications"
    assert not summary.frameGeometry().contains(pointer.at)  # the pointer rests where the second toast was
    # That toast was hidden and deleted under the pointer, with no leave event. Nobody moves the pointer.
    qtbot.waitUntil(lambda: gone(stack), timeout=GONE_WITHIN_MS)


def test_a_summary_under_the_pointer_waits_until_the_pointer_leaves(
    qtbot: QtBot, stack: ToastStack, pointer: Pointer
) -> None:
    for i in range(1, 4):
        stack.policy.push(note(i, "info"))
    enter(stack.visible_toasts()[0], pointer)
    for i in range(4, 8):
        stack.policy.push(note(i, "info"))
    (summary,) = stack.visible_toasts()
    enter(summary, pointer)  # it opened right under the pointer: the window system says so
    qtbot.waitUntil(lambda: stack.hover_timer.isActive())
    with qtbot.waitSignal(stack.hover_timer.timeout, timeout=HOVER_CHECK_MS * 4):
        pass  # the pointer is still there: the check keeps the pause
    assert stack.policy.paused and stack.visible_toasts() == [summary]
    pointer.at = QPoint(5, 795)
    QApplication.sendEvent(summary, QEvent(QEvent.Type.Leave))
    qtbot.waitUntil(lambda: gone(stack), timeout=GONE_WITHIN_MS)


def test_a_menu_closing_over_a_toast_does_not_hold_it(qtbot: QtBot, stack: ToastStack, pointer: Pointer) -> None:
    stack.policy.push(note(1, "error"))  # stays until closed: it keeps the column where the menu opens
    stack.policy.push(note(2, "info"))
    toast = stack.visible_toasts()[0]
    assert toast.title.text() == "Title 2"
    menu = AppMenu()
    menu.set_state(MenuState(signed_in=True))
    menu.popup(toast.frameGeometry().center() - QPoint(40, 10))  # the tray menu, open over the toast
    qtbot.waitUntil(menu.isVisible)
    QTest.keyClick(menu, Qt.Key.Key_Down)
    with qtbot.waitSignal(menu.compose_requested):  # "Send message…" chosen: the menu closes over the toast
        QTest.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not menu.isVisible())
    enter(toast, pointer)  # Qt gives the window under the pointer an enter event when a popup closes
    assert stack.policy.paused
    pointer.at = QPoint(5, 795)  # the pointer goes away; the window system sends no leave (it sent no enter)
    qtbot.waitUntil(lambda: [t.title.text() for t in stack.visible_toasts()] == ["Title 1"], timeout=GONE_WITHIN_MS)
    assert not stack.policy.paused
    menu.deleteLater()
