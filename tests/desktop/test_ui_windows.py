"""History window, tray icon, status window and sign-in dialog, offscreen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.history import GapMarker, HistoryEntry, StoredNotification
from desktop.core.models import Gap
from desktop.core.preferences import Preferences
from desktop.ui.history_window import GAP_TEXT, HistoryWindow
from desktop.ui.icons import badge_text, tray_image
from desktop.ui.menu import MenuState
from desktop.ui.signin import SignInDialog
from desktop.ui.tray import StatusWindow, Tray, tooltip
from hub.protocol import NotificationType
from tests.support.notes import note

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
CONNECTED = ConnectionStatus(ConnectionState.CONNECTED)


def entries() -> list[HistoryEntry]:
    t = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    return [
        StoredNotification(note(12, "error", title="Disk full", message="<b>/var</b> at 99%", room="ops"), read=False),
        StoredNotification(note(11, "info", title="", message="hello\nworld", timestamp=t), read=True),
        GapMarker(Gap(3, 10, "removed by retention"), received_at=NOW - timedelta(minutes=5)),
        StoredNotification(note(3, "success", title="Deployed", sender="ci"), read=True),
    ]


@pytest.fixture
def window(qtbot: QtBot) -> HistoryWindow:
    w = HistoryWindow()
    qtbot.addWidget(w)
    return w


def test_history_lists_newest_first_with_gaps_where_they_happened(window: HistoryWindow) -> None:
    window.set_entries(entries(), NOW)
    assert window.rows() == [
        ("Disk full", "<b>/var</b> at 99%", "alice", "ops", "30 min ago"),
        ("Info", "hello world", "alice", "", "30 min ago"),
        (GAP_TEXT, "removed by retention", "", "", "5 min ago"),
        ("Deployed", "Message 3", "ci", "", "30 min ago"),
    ]
    assert window.is_bold(0)  # unread
    assert not window.is_bold(1)
    assert window.model.data(window.model.index(2, 0), Qt.ItemDataRole.FontRole).italic()
    assert not window.empty_label.isVisible()


def test_empty_history_says_so(window: HistoryWindow) -> None:
    window.show()
    window.set_entries([], NOW)
    assert window.empty_label.text() == "No notifications yet."
    window.search.setText("zzz")
    window.set_entries([], NOW)
    assert window.empty_label.text() == "Nothing matches."


def test_type_filter_asks_at_once(qtbot: QtBot, window: HistoryWindow) -> None:
    with qtbot.waitSignal(window.query_changed) as blocker:
        window.type_filter.setCurrentIndex(window.type_filter.findData("error"))
    assert blocker.args == [frozenset({NotificationType.ERROR}), ""]
    with qtbot.waitSignal(window.query_changed) as blocker:
        window.type_filter.setCurrentIndex(0)
    assert blocker.args == [None, ""]


def test_search_asks_after_typing(qtbot: QtBot, window: HistoryWindow) -> None:
    with qtbot.waitSignal(window.query_changed) as blocker:
        QTest.keyClicks(window.search, "disk")
    assert blocker.args == [None, "disk"]


def test_mark_all_read(qtbot: QtBot, window: HistoryWindow) -> None:
    window.set_counts(1234, 3)
    assert window.count_label.text() == "1,234 notifications · 3 unread"
    assert window.mark_read_button.text() == "Mark all read"
    with qtbot.waitSignal(window.mark_all_read_requested):
        QTest.mouseClick(window.mark_read_button, Qt.MouseButton.LeftButton)
    window.set_counts(1234, 0)
    assert window.count_label.text() == "1,234 notifications · all read"
    assert not window.mark_read_button.isEnabled()
    window.type_filter.setCurrentIndex(window.type_filter.findData("error"))
    window.set_counts(42, 5)
    assert window.count_label.text() == "42 shown · 5 unread"
    assert window.mark_read_button.text() == "Mark these read"  # what the filter shows, not everything


def test_open_at_an_item(qtbot: QtBot, window: HistoryWindow) -> None:
    window.set_entries(entries(), NOW)
    assert window.select_notification(3)
    assert window.selected_id() == 3
    assert not window.select_notification(99)
    window.set_entries(entries(), NOW)  # a refresh keeps the selection
    assert window.selected_id() == 3
    window.search.setText("x")
    with qtbot.waitSignal(window.query_changed) as blocker:
        window.reset_query()
    assert blocker.args == [None, ""]
    assert window.search.text() == ""


def test_history_is_plain_text(window: HistoryWindow) -> None:
    window.set_entries(entries(), NOW)
    assert window.rows()[0][1] == "<b>/var</b> at 99%"


# --------------------------------------------------------------------------- tray and status


def red_pixels(state: str, unread: int) -> int:
    image = tray_image(state, unread, 64)  # type: ignore[arg-type]
    red = QColor("#dc2626")
    return sum(1 for x in range(34, 64) for y in range(30) if image.pixelColor(x, y).name() == red.name())


def test_badge_appears_only_with_unread() -> None:
    assert red_pixels("connected", 0) == 0
    assert red_pixels("connected", 3) > 100
    assert badge_text(0) == "" and badge_text(7) == "7" and badge_text(150) == "99+"


def indigo_pixels(image: QImage) -> int:
    """The do-not-disturb moon's disc, in the bottom-left corner."""
    return sum(1 for x in range(30) for y in range(34, 64) if image.pixelColor(x, y).name() == "#4338ca")


def test_the_icon_wears_a_moon_while_do_not_disturb_is_on(qtbot: QtBot) -> None:
    assert indigo_pixels(tray_image("connected", 3, 64)) == 0
    assert indigo_pixels(tray_image("connected", 3, 64, dnd=True)) > 100
    assert red_pixels("connected", 3) > 100  # the badge still shows
    tray = Tray()
    tray.set_status(CONNECTED, 2, "http://hub:8765", "alice", "on until Wed 14:05")
    assert tray.shown == ("connected", "2", True)
    assert tray.icon.toolTip().endswith("Connected · 2 unread\nDo not disturb: on until Wed 14:05")
    window = StatusWindow()
    window.set_status(CONNECTED, 0, "http://hub:8765", "alice", "quiet hours (19:00-08:00)")
    assert window.status.text() == "Connected · nothing unread · do not disturb: quiet hours (19:00-08:00)"
    assert indigo_pixels(window.state_icon.pixmap().toImage().scaled(64, 64)) > 100


def test_tray_shows_state_badge_and_tooltip(qtbot: QtBot) -> None:
    tray = Tray()
    tray.set_status(ConnectionStatus(ConnectionState.CONNECTING), 0, "http://hub:8765", "alice")
    assert tray.shown == ("connecting", "", False)
    tray.set_status(CONNECTED, 5, "http://hub:8765", "alice")
    assert tray.shown == ("connected", "5", False)
    assert tray.icon.toolTip() == "lan-notify\nalice @ http://hub:8765\nConnected · 5 unread"
    assert not tray.icon.icon().isNull()
    assert tray.icon.contextMenu() is tray.menu  # the app menu (tests/desktop/test_ui_menu.py)
    assert not tray.menu.sign_out_action.isEnabled()  # not signed in yet
    tray.menu.set_state(MenuState(signed_in=True))
    with qtbot.waitSignal(tray.open_history):
        tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.waitSignal(tray.menu.sign_out_requested):
        tray.menu.sign_out_action.trigger()
    with qtbot.waitSignal(tray.menu.quit_requested):
        tray.menu.quit_action.trigger()


def test_tooltip_for_an_auth_failure() -> None:
    status = ConnectionStatus(ConnectionState.AUTH_FAILED, reason="token revoked")
    assert (
        tooltip(status, 0, "http://h", "bob")
        == "lan-notify\nbob @ http://h\nSign-in needed: token revoked · nothing unread"
    )


def test_status_window_when_there_is_no_tray(qtbot: QtBot) -> None:
    window = StatusWindow()
    qtbot.addWidget(window)
    window.set_status(ConnectionStatus(ConnectionState.OFFLINE, 3, "cannot reach the hub"), 2, "http://h", "bob")
    assert window.title.text() == "bob @ http://h"
    assert window.status.text() == "Offline: cannot reach the hub · 2 unread"
    assert window.shown == ("offline", "2", False)
    with qtbot.waitSignal(window.open_history):
        QTest.mouseClick(window.open_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.quit_requested):
        QTest.mouseClick(window.quit_button, Qt.MouseButton.LeftButton)
    window.show()
    with qtbot.waitSignal(window.quit_requested):
        window.close()  # without a tray, closing the window quits the app
    assert window.note.text() == "No system tray was found, so lan-notify shows this window instead."
    chosen = StatusWindow(asked=True)  # notify-tray --no-tray on a desktop that has a tray
    qtbot.addWidget(chosen)
    assert chosen.note.text() == "lan-notify shows this window instead of a tray icon (--no-tray)."


# --------------------------------------------------------------------------- sign-in


@pytest.fixture
def dialog(qtbot: QtBot) -> SignInDialog:
    d = SignInDialog()
    qtbot.addWidget(d)
    d.show()
    return d


def test_sign_in_submits_a_normalized_address(qtbot: QtBot, dialog: SignInDialog) -> None:
    dialog.set_values("hub.lan:8765", "alice")
    dialog.password.setText("wonderland")
    with qtbot.waitSignal(dialog.submitted) as blocker:
        QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["http://hub.lan:8765", "alice", "wonderland"]
    assert not dialog.sign_in_button.isEnabled()
    dialog.show_error("wrong username or password")
    assert dialog.error.text() == "wrong username or password"
    assert dialog.sign_in_button.isEnabled()


def test_tab_and_enter_after_the_password_sign_in(qtbot: QtBot, dialog: SignInDialog) -> None:
    """Tab walks the fields, then the buttons in the order they are drawn: the first is Sign in, not Cancel."""
    dialog.set_values("http://hub.lan:8765", "alice")
    dialog.password.setText("wonderland")
    order = []
    for _ in range(3):
        QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        order.append(dialog.focusWidget())
    cancel = dialog.buttons.button(dialog.buttons.StandardButton.Cancel)
    assert order == [dialog.sign_in_button, dialog.host_button, cancel]
    dialog.password.setFocus()
    QTest.keyClick(dialog.password, Qt.Key.Key_Tab)
    with qtbot.waitSignal(dialog.submitted) as blocker:
        QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert blocker.args == ["http://hub.lan:8765", "alice", "wonderland"]


def test_a_refused_sign_in_leaves_the_password_selected_for_another_try(qtbot: QtBot, dialog: SignInDialog) -> None:
    dialog.set_values("http://hub.lan:8765", "bob")
    dialog.activateWindow()
    QTest.keyClicks(dialog.password, "used-once")
    with qtbot.waitSignal(dialog.submitted):
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not dialog.password.isEnabled()  # busy: the fields wait for the hub's answer
    dialog.show_error("This one-time password was already used. Ask your hub's admin for a new one.")
    assert dialog.focusWidget() is dialog.password  # not Cancel, where Enter would close the dialog
    assert dialog.password.selectedText() == "used-once"
    QTest.keyClicks(dialog.password, "new-one")
    with qtbot.waitSignal(dialog.submitted) as again:
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    assert again.args == ["http://hub.lan:8765", "bob", "new-one"]


def test_sign_in_refuses_obvious_mistakes(qtbot: QtBot, dialog: SignInDialog) -> None:
    with qtbot.assertNotEmitted(dialog.submitted):
        QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text().startswith("Enter the hub address")
    dialog.hub.setText("ftp://x")
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "http://" in dialog.error.text()
    dialog.hub.setText("hub")
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Enter your user name and password."


def test_sign_in_shows_reason_and_notice_as_plain_text(dialog: SignInDialog) -> None:
    dialog.set_reason("<b>revoked</b>")
    dialog.set_notice("No system keyring is available")
    assert dialog.reason.isVisible() and dialog.reason.textFormat() == Qt.TextFormat.PlainText
    assert dialog.notice.text() == "No system keyring is available"
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password


def test_preferences_hold_no_secret_and_clamp_toast_settings(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat)
    prefs = Preferences(settings)
    assert (prefs.hub_url, prefs.username, prefs.max_visible_toasts, prefs.burst_threshold) == ("", "", 4, 5)
    prefs.remember("http://hub:8765", "alice")
    settings.setValue("toasts/max_visible", "1000")
    settings.setValue("toasts/burst_threshold", "lots")
    assert prefs.max_visible_toasts == 10
    assert prefs.burst_threshold == 5
    assert sorted(prefs.keys()) == ["hub/url", "hub/username", "toasts/burst_threshold", "toasts/max_visible"]


def test_history_shows_a_body_isolated(window: HistoryWindow) -> None:
    """An override in a body reverses no letters and nothing after the body (desktop.core.bidi)."""
    window.set_entries([StoredNotification(note(1, "info", message="invoice_\u202egnp.exe"), read=True)], NOW)
    assert window.rows()[0][1] == "\u2068invoice_\u2067gnp.exe\u2069\u2069"
    assert window.select_notification(1)
    assert window.detail.body.toPlainText() == "\u2068invoice_\u2067gnp.exe\u2069\u2069"


def test_a_window_says_when_it_is_drawn_after_it_opened_and_again_at_a_new_size(qtbot: QtBot) -> None:
    from desktop.ui.painted import PaintWatcher

    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    watcher = PaintWatcher(dialog, "signin")
    with qtbot.waitSignal(watcher.painted) as first:
        dialog.show()
    assert first.args[0] == "signin"
    with qtbot.waitSignal(watcher.painted) as grown:
        dialog.show_error("This one-time password was already used. Ask your hub's admin for a new one. " * 3)
    assert grown.args[1][3] > first.args[1][3]  # taller: the message shows whole, and a screenshot holds it


def test_enter_in_the_hub_windows_name_field_invites_and_leaves_the_clipboard_alone(qtbot: QtBot) -> None:
    from PySide6.QtGui import QGuiApplication

    from desktop.ui.host_window import HostWindow

    window = HostWindow()
    qtbot.addWidget(window)
    window.set_hosted("http://192.168.1.20:8765", "alice", "Teammates sign in to this address.")
    window.show()
    window.activateWindow()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("what I copied before")
    QTest.keyClicks(window.invite_name, "bob")
    with qtbot.waitSignal(window.invite_requested) as invited:
        QTest.keyClick(window.invite_name, Qt.Key.Key_Return)
    assert invited.args == ["bob"]
    assert clipboard.text() == "what I copied before"  # Enter pressed no Copy button as well
