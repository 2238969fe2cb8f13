"""Every window and dialog of the tray app, each in the states a person meets it in, with realistic and
long content: what the layout check (tests/support/layout.py) looks at, at 100 % and 200 %.

`WINDOWS` maps a name ("host-after-invite") to a function that builds the window in that state and
shows it (a QApplication must exist). Toasts are not here: they are frameless notifications, not
windows, and are checked with their own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from desktop.app.host_flow import invite_text, reset_text
from desktop.core.compose import Limits, recipients_for, types_for
from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.history import GapMarker, StoredNotification
from desktop.core.models import Gap, ReceivedNotification
from desktop.core.preferences import Preferences
from desktop.core.trust import PromptKind, TrustPrompt
from desktop.core.wording import TOKEN_REFUSED, sign_in_refusal
from desktop.errors import PortInUseError, UserExistsError
from desktop.system.credentials import LOCKED_MESSAGE, SESSION_ONLY
from desktop.system.hosting import Hosted, cannot_host_text
from desktop.ui.compose import ComposeDialog
from desktop.ui.history_window import HistoryWindow
from desktop.ui.host_window import HostWindow
from desktop.ui.prompts import RoomNamePrompt, reset_prompt
from desktop.ui.settings_dialog import SettingsDialog, Situation
from desktop.ui.signin import SignInDialog
from desktop.ui.tray import StatusWindow
from desktop.ui.trust_dialog import TrustDialog
from hub.protocol import Kind, NotificationType

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
LAN = "http://192.168.178.120:8765"
FINGERPRINT = ":".join(f"{(i * 37) % 256:02X}" for i in range(32))
OTHER_FINGERPRINT = ":".join(f"{(i * 53 + 7) % 256:02X}" for i in range(32))
LONG = (
    "The nightly backup of /srv/projects/customer-archive-2026 to nas2.lan failed after 3 h 12 min: "
    "the disk is full (0 bytes left of 7.3 TB). Free some space or add a disk, then run it again."
)


def _shown(window: QWidget) -> QWidget:
    window.show()
    return window


def _hosted(lan_url: str = LAN, interface: str = "0.0.0.0") -> Hosted:
    data = Path.home() / ".local" / "share" / "lan-notify" / "hub-of-a-long-folder-name"
    return Hosted("http://127.0.0.1:8765", lan_url, "alice", False, data, interface)


def host_window(state: str) -> QWidget:
    hosted = _hosted("http://127.0.0.1:8765", "127.0.0.1") if state == "loopback" else _hosted()
    window = HostWindow()
    window.set_hosted(hosted.lan_url, hosted.username, hosted.join_hint, hosted.lan_warning)
    _shown(window)
    if state == "after-invite":
        window.show_password(invite_text("bartholomew.long-name", hosted.lan_url), "Xy7q-pL9a-Zz3k-Mm2w")
    elif state == "name-taken":
        error = UserExistsError("bob")
        window.show_error(str(error), offer_reset_for=error.name)
    elif state == "after-reset":
        window.show_password(reset_text("bob"), "Qw8e-Rt5y-Ui2o-Pa4s")
    return window


def signin(state: str) -> QWidget:
    dialog = SignInDialog()
    dialog.set_values("http://hub.example.lan:8765", "alice")
    if state == "everything":
        dialog.set_reason(TOKEN_REFUSED)
        dialog.show_error(sign_in_refusal("password_expired", ""))
        dialog.set_notice(f"{LOCKED_MESSAGE} {SESSION_ONLY}")
    elif state == "cannot-host":
        dialog.set_reason(cannot_host_text(PortInUseError("0.0.0.0", 8765), port_from_command_line=True))
    return _shown(dialog)


def settings(tab: int) -> QWidget:
    dialog = SettingsDialog()
    prefs = Preferences(QSettings(str(Path.home() / ".cache" / "layout-settings.ini"), QSettings.Format.IniFormat))
    situation = Situation(
        account=f"bartholomew.long-name @ {LAN}",
        keyring=LOCKED_MESSAGE,
        notifications="This desktop's notifications show no buttons: to reply, open the history instead.",
        hosting="The hub hosted here listens on 127.0.0.1, port 8765, until you quit (chosen when it started). "
        "What you choose here applies the next time it starts.",
    )
    dialog.load(prefs, situation, autostart=True, show_as="system")
    dialog.tabs.setCurrentIndex(tab)
    dialog.show_error("Quiet hours look like 19:00-08:00.")
    return _shown(dialog)


def compose(state: str) -> QWidget:
    dialog = ComposeDialog()
    dialog.set_recipients(recipients_for(me="alice", users=["alice", "bob", "carol"], online=["bob"],
                                         my_rooms=["ops"], admin=True))  # fmt: skip
    dialog.set_types(types_for(True))
    dialog.set_limits(Limits(message_bytes=100))
    dialog.start("bob")
    if state == "refused":
        dialog.text.setPlainText(LONG)
        dialog.show_result("Not sent. lan-notify is not connected to the hub right now: try again when it is back.",
                           ok=False)  # fmt: skip
    return dialog


def _note(nid: int, ntype: str, title: str, message: str, **extra: object) -> ReceivedNotification:
    values: dict[str, object] = {"id": nid, "kind": Kind.DIRECT, "type": NotificationType(ntype), "title": title,
                                 "message": message, "sender": "alice", "room": None,
                                 "timestamp": NOW - timedelta(minutes=nid)}  # fmt: skip
    values.update(extra)
    return ReceivedNotification(**values)  # type: ignore[arg-type]


def history(state: str) -> QWidget:
    window = HistoryWindow()
    if state == "filled":
        window.set_entries([
            StoredNotification(_note(5, "error", "Backup failed", LONG, room="ops", kind=Kind.ROOM), read=False),
            StoredNotification(_note(4, "message", "", "Lunch at noon?", sender="bob"), read=True),
            GapMarker(Gap(1, 3, "removed by retention before this device got them"), received_at=NOW),
        ], NOW)  # fmt: skip
        window.set_counts(2, 1)
    else:
        window.set_entries([], NOW)
    return _shown(window)


def trust(kind: PromptKind) -> QWidget:
    dialog = TrustDialog()
    pinned = OTHER_FINGERPRINT if kind is PromptKind.CHANGED else ""
    dialog.set_prompt(TrustPrompt(kind, "https://hub.example.lan:8765", FINGERPRINT, pinned=pinned))
    return _shown(dialog)


def status(signed_in: bool) -> QWidget:
    window = StatusWindow(asked=False)
    status = ConnectionStatus(ConnectionState.OFFLINE, 3, "cannot reach the hub at http://hub.example.lan:8765")
    window.set_status(status, 12, "http://hub.example.lan:8765", "alice" if signed_in else "")
    return _shown(window)


WINDOWS: dict[str, Callable[[], QWidget]] = {
    "host": lambda: host_window("plain"),
    "host-loopback": lambda: host_window("loopback"),
    "host-after-invite": lambda: host_window("after-invite"),
    "host-name-taken": lambda: host_window("name-taken"),
    "host-after-reset": lambda: host_window("after-reset"),
    "reset-prompt": lambda: _shown(reset_prompt(["bob", "carol", "ci", "bartholomew.long-name"], "bob")),
    "room-prompt": lambda: _shown(RoomNamePrompt()),
    "sign-in": lambda: signin("plain"),
    "sign-in-everything": lambda: signin("everything"),
    "sign-in-cannot-host": lambda: signin("cannot-host"),
    "settings-account": lambda: settings(0),
    "settings-notifications": lambda: settings(1),
    "settings-hosting": lambda: settings(2),
    "compose": lambda: compose("plain"),
    "compose-refused": lambda: compose("refused"),
    "history": lambda: history("filled"),
    "history-empty": lambda: history("empty"),
    "trust-new": lambda: trust(PromptKind.NEW),
    "trust-changed": lambda: trust(PromptKind.CHANGED),
    "status": lambda: status(True),
    "status-signed-out": lambda: status(False),
}
