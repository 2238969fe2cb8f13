"""Toast widgets offscreen: what a user sees per type, stacking, timeouts, hover, clicks, plain text."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QEnterEvent, QFontDatabase, QFontMetricsF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

import resources
from desktop.core.toasts import ToastPolicy
from desktop.ui.fonts import use_colour_emoji
from desktop.ui.icons import type_pixmap
from desktop.ui.toast import MESSAGE_LINES, Toast
from desktop.ui.toast_card import ACCENT_WIDTH
from desktop.ui.toast_stack import ToastStack
from tests.support.notes import note
from tests.support.servers import unavailable
from tests.support.waiting import FakeClock

NOW = datetime(2026, 11, 25, 9, 0, 20, tzinfo=UTC)


class WallClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def stack(qtbot: QtBot, clock: FakeClock, wall: WallClock) -> Iterator[ToastStack]:
    s = ToastStack(ToastPolicy(clock=clock), wall_clock=wall, area=lambda: QRect(0, 0, 1280, 800))
    yield s
    s.close_all()
    for toast in list(s.toasts.values()):
        toast.deleteLater()


def shown(stack: ToastStack) -> list[str]:
    return [t.title.text() for t in stack.visible_toasts()]


def hover(widget: Toast, inside: bool) -> None:
    if inside:
        event: QEvent = QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5))
    else:
        event = QEvent(QEvent.Type.Leave)
    QApplication.sendEvent(widget, event)


def near(colour: QColor, wanted: str) -> bool:
    """`colour` is (about) the opaque colour `wanted` (antialiasing blends the edges)."""
    other = QColor(wanted)
    distance = abs(colour.red() - other.red()) + abs(colour.green() - other.green()) + abs(colour.blue() - other.blue())
    return colour.alpha() > 128 and distance < 60


TIMEOUTS = [("info", 5000), ("success", 5000), ("message", 5000), ("warning", 10000), ("error", None), ("system", None)]


@pytest.mark.parametrize(("ntype", "timeout_ms"), TIMEOUTS)
def test_each_type_shows_its_icon_accent_and_timeout(
    qtbot: QtBot, stack: ToastStack, clock: FakeClock, ntype: str, timeout_ms: int | None
) -> None:
    stack.policy.push(note(1, ntype, title=f"A {ntype}", message="Body text", sender="bob", room="ops"))
    (toast,) = stack.visible_toasts()
    assert toast.title.text() == f"A {ntype}"
    assert toast.message.text() == "Body text"
    assert toast.meta.text() == "bob in #ops · just now"
    assert toast.frame.property("ntype") == ntype
    assert toast.icon_name == ntype
    expected = type_pixmap(ntype, 32, toast.devicePixelRatioF()).toImage()
    assert toast.icon.pixmap().toImage() == expected
    # The stripe along the left edge is painted in the type's colour, inside the card's rounded corners.
    image = toast.grab().toImage()
    accent = QColor(resources.ACCENTS[ntype]).name()
    assert image.pixelColor(2, image.height() // 2).name() == accent
    assert image.pixelColor(ACCENT_WIDTH + 2, image.height() // 2).name() != accent  # a stripe, not a fill
    assert image.pixelColor(0, 0).alpha() == 0  # the corner is rounded off
    assert image.pixelColor(0, image.height() - 1).alpha() == 0
    for y in (0, image.height() - 1):  # the stripe follows the rounded corners: no hook along the top or bottom edge
        assert not any(near(image.pixelColor(x, y), accent) for x in range(image.width()))
    assert toast.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert toast.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert toast.timeout_ms == timeout_ms

    if timeout_ms is None:
        assert not stack.expiry_timer.isActive()
        return
    assert stack.expiry_timer.isActive()
    assert stack.expiry_timer.interval() == timeout_ms
    clock.advance(timeout_ms / 1000)
    stack.expiry_timer.timeout.emit()  # the timer fires: the policy's clock says it is time
    assert stack.visible_toasts() == []
    assert not toast.isVisible()


def test_newest_on_top_at_most_four_and_more(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    for i in range(1, 7):
        stack.policy.push(note(i, "error"))
        clock.advance(2)
    assert shown(stack) == ["Title 6", "Title 5", "Title 4", "Title 3"]
    assert stack.more.isVisible()
    assert stack.more.button.text() == "+2 more"
    toasts = stack.visible_toasts()
    assert all(a.geometry().bottom() < b.geometry().top() for a, b in itertools.pairwise(toasts))
    assert toasts[-1].geometry().bottom() < stack.more.geometry().top()
    assert all(t.geometry().right() == 1279 - 16 for t in toasts)  # 16 px from the right edge

    QTest.mouseClick(toasts[0].close_button, Qt.MouseButton.LeftButton)
    assert shown(stack) == ["Title 5", "Title 4", "Title 3", "Title 2"]
    assert stack.more.button.text() == "+1 more"


def test_more_opens_the_history(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    for i in range(1, 6):
        stack.policy.push(note(i, "error"))
        clock.advance(2)
    with qtbot.waitSignal(stack.open_history) as blocker:
        QTest.mouseClick(stack.more.button, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]
    assert stack.visible_toasts() == []
    assert not stack.more.isVisible()


def test_hover_pauses_and_leaving_resumes(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    stack.policy.push(note(1, "info"))
    (toast,) = stack.visible_toasts()
    clock.advance(3)
    hover(toast, True)
    assert stack.policy.paused
    assert not stack.expiry_timer.isActive()
    clock.advance(120)
    stack.expiry_timer.timeout.emit()
    assert shown(stack) == ["Title 1"]
    hover(toast, False)
    assert stack.expiry_timer.isActive()
    assert stack.expiry_timer.interval() == 2000  # what was left when the pointer came in
    clock.advance(2)
    stack.expiry_timer.timeout.emit()
    assert shown(stack) == []


def test_click_opens_the_history_at_that_notification(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(note(42, "message"))
    (toast,) = stack.visible_toasts()
    with qtbot.waitSignal(stack.open_history) as blocker:
        QTest.mouseClick(toast.frame, Qt.MouseButton.LeftButton)
    assert blocker.args == [42]
    assert stack.visible_toasts() == []


def test_close_button_closes_without_opening(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(note(7, "error"))
    (toast,) = stack.visible_toasts()
    with qtbot.assertNotEmitted(stack.open_history):
        QTest.mouseClick(toast.close_button, Qt.MouseButton.LeftButton)
    assert stack.visible_toasts() == []


def test_markup_shows_literally(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(note(1, "message", title="<i>title</i>", message="<b>hi</b> <img src=x>", sender="<u>eve</u>"))
    (toast,) = stack.visible_toasts()
    assert toast.title.text() == "<i>title</i>"
    assert toast.message.text() == "<b>hi</b> <img src=x>"
    assert toast.meta.text().startswith("<u>eve</u>")
    labels = toast.findChildren(QLabel)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels if label.objectName() != "toastIcon")


def lines_fit(label: QLabel, width: int) -> bool:
    metrics = QFontMetricsF(label.font())
    return all(metrics.horizontalAdvance(line) <= width for line in label.text().split("\n"))


def test_long_text_is_elided_cleanly_in_a_fixed_number_of_lines(qtbot: QtBot, stack: ToastStack) -> None:
    words = " ".join(f"line{i} of a long build log" for i in range(200))  # ~5 KB
    stack.policy.push(note(1, "error", title="Nightly build of " + "the-monorepo/" * 20, message=words))
    stack.policy.push(note(2, "error", title="Token", message="abc" * 700 + " end"))  # one unbroken 2 KB word
    long_word, long_body = stack.visible_toasts()  # newest first
    for toast in (long_body, long_word):
        assert len(toast.message.text().split("\n")) <= MESSAGE_LINES
        assert lines_fit(toast.message, toast.message.width()) and lines_fit(toast.title, toast.title.width())
        # Nothing is cut off at the top or the bottom: the label is as tall as its lines.
        assert toast.message.height() >= toast.message.sizeHint().height()
        assert toast.height() >= toast.sizeHint().height()
        assert toast.clipped
    lines = long_body.message.text().split("\n")
    assert len(lines) == MESSAGE_LINES
    assert lines[0].startswith("line0 of a long build log")  # from the beginning
    assert lines[-1].endswith("…")
    assert long_body.title.text().startswith("Nightly build of the-monorepo/") and long_body.title.text().endswith("…")
    assert long_word.message.text().split("\n") == [long_word.message.text().split("\n")[0], "end"]
    assert long_word.message.text().startswith("abcabc") and "…" in long_word.message.text()


def test_the_same_text_gives_toasts_of_the_same_height(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    body = "Disk usage on build-7 is above 90 %. " * 100
    for i in range(1, 4):
        stack.policy.push(note(i, "error", title="Disk almost full", message=body))
        clock.advance(2)
    stack.policy.push(note(4, "error", title="Disk almost full", message=body * 3))  # longer still: the same lines
    heights = {t.height() for t in stack.visible_toasts()}
    assert len(heights) == 1, heights


def test_a_burst_becomes_one_summary_toast(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    for i in range(1, 51):
        stack.policy.push(note(i, "error" if i == 30 else "info"))
        clock.advance(0.01)
    (toast,) = stack.visible_toasts()
    assert toast.title.text() == "50 new notifications"
    assert toast.message.text() == "49 info, 1 error"
    assert toast.icon_name == "error"
    assert toast.frame.property("ntype") == "summary"
    assert not stack.more.isVisible()
    with qtbot.waitSignal(stack.open_history) as blocker:
        QTest.mouseClick(toast.frame, Qt.MouseButton.LeftButton)
    assert blocker.args == [50]


def test_relative_time_refreshes(qtbot: QtBot, stack: ToastStack, wall: WallClock) -> None:
    stack.policy.push(note(1, "error", sender="bob"))
    (toast,) = stack.visible_toasts()
    assert toast.meta.text() == "bob · just now"
    assert stack.time_timer.isActive() and stack.time_timer.isSingleShot()
    assert stack.time_timer.interval() == 25_000  # sent 20 s ago: "just now" until 45 s, no polling before
    wall.now += timedelta(minutes=12)
    stack.time_timer.timeout.emit()
    assert toast.meta.text() == "bob · 12 min ago"
    assert stack.time_timer.interval() == 10_000  # 12 min 20 s: "13 min ago" from 12 min 30 s on
    stack.policy.dismiss_all()
    assert not stack.time_timer.isActive()  # nothing on screen: nothing wakes the app


def test_a_notice_shows_its_small_print(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push_notice("3 notifications while you were away", "1 info, 2 message", style="info",
                             hint="Click to see them in the history")  # fmt: skip
    (toast,) = stack.visible_toasts()
    assert toast.message.text() == "1 info, 2 message"
    assert toast.meta.text() == "Click to see them in the history"
    assert toast.meta.isVisibleTo(toast)
    with qtbot.waitSignal(stack.open_history) as blocker:
        QTest.mouseClick(toast.frame, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]  # the history, at the top


def test_toasts_never_cover_the_tray_icon(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    # A panel that reserves no screen space: the tray icon sits inside the area the toasts use.
    stack.avoid = lambda: QRect(1250, 0, 30, 32)
    stack.policy.push(note(1, "error"))
    stack.policy.push(note(2, "error"))
    toasts = stack.visible_toasts()
    assert toasts[0].geometry().top() > 32
    assert not any(t.geometry().intersects(stack.avoid()) for t in toasts)
    stack.set_corner("bottom-right")  # the other end of the screen: nothing to step around
    assert max(t.geometry().bottom() for t in stack.visible_toasts()) == 799 - 16
    stack.set_corner("top-left")  # the icon is not in that column
    assert min(t.geometry().top() for t in stack.visible_toasts()) == 16


def test_a_growing_summary_is_painted_again(qtbot: QtBot, stack: ToastStack, clock: FakeClock) -> None:
    # Its first paint is told after the paint is flushed (a timer): wait for that, not for the paint.
    with qtbot.waitSignal(stack.toast_painted, check_params_cb=lambda nid, _where: nid == 7):
        for i in range(1, 8):
            stack.policy.push(note(i, "info"))
    (summary,) = stack.visible_toasts()
    with qtbot.waitSignal(stack.toast_painted) as painted:
        stack.policy.push(note(8, "warning"))
    assert painted.args[0] == 8  # the summary opens the history at its newest notification
    assert painted.args[1] == [summary.x(), summary.y(), summary.width(), summary.height()]
    assert summary.title.text() == "8 new notifications"


def test_only_messages_from_people_and_teammates_arrivals_offer_an_action(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(note(1, "info"))
    stack.policy.push_notice("carol is online", "You asked to hear when they come online.", style="info",
                             write_to="carol")  # fmt: skip
    stack.policy.push(note(2, "message", sender="bob"))
    message, arrival, info = stack.visible_toasts()
    assert message.reply_button.text() == "Reply" and message.reply_button.isVisibleTo(message)
    assert arrival.reply_button.text() == "Message" and arrival.reply_button.isVisibleTo(arrival)
    assert not info.reply_button.isVisibleTo(info)
    with qtbot.waitSignal(stack.reply_requested) as blocker:
        QTest.mouseClick(arrival.reply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["carol"]
    with qtbot.waitSignal(stack.reply_requested) as blocker:
        QTest.mouseClick(message.reply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["bob"]


def test_no_reply_to_what_i_sent_myself(qtbot: QtBot, stack: ToastStack) -> None:
    stack.me = "alice"
    stack.policy.push(note(1, "message", sender="alice", message="note to self"))
    stack.policy.push(note(2, "message", sender="bob"))
    from_bob, to_self = stack.visible_toasts()
    assert not to_self.reply_button.isVisibleTo(to_self)
    assert from_bob.reply_button.isVisibleTo(from_bob)


def test_a_toast_shows_a_body_isolated(qtbot: QtBot, stack: ToastStack) -> None:
    """An override in a body reverses no letters and nothing after the body (desktop.core.bidi)."""
    stack.policy.push(note(1, "info", message="invoice_\u202egnp.exe"))
    (toast,) = stack.visible_toasts()
    assert toast.message.text() == "\u2068invoice_\u2067gnp.exe\u2069\u2069"


def test_emoji_show_in_colour(qtbot: QtBot, stack: ToastStack) -> None:
    if "Noto Color Emoji" not in QFontDatabase.families():
        unavailable("no colour emoji font (Debian: fonts-noto-color-emoji)")
    assert use_colour_emoji() == "Noto Color Emoji"
    stack.policy.push(note(1, "info", title="Lunch", message="🎉🍕"))
    (toast,) = stack.visible_toasts()
    image = toast.message.grab().toImage()
    colours = {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).hsvSaturation() > 120
    }
    assert len(colours) > 20  # drawn from the colour font: not an empty box, nor black outlines
