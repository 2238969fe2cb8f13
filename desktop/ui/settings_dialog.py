"""The settings dialog, in three tabs: Account (hub, sign-out, keyring, CA file), Notifications (shown as
toasts or system notifications, corner, per-type duration and sound, quiet hours) and Startup and hosting.

It shows values and emits `saved({QSettings key: value})` with every value; the app stores the ones that
changed and applies them at once. What is not a preference (who is signed in, whether the keyring
works, where a running hub listens) comes in a `Situation`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.preferences import CORNERS, INTERFACES, MIN_PRIORITIES, Preferences
from desktop.core.presentation import CHOICES
from desktop.ui.fit import keep_fitted
from desktop.ui.icons import type_pixmap
from hub.protocol import NotificationType

NOTE_STYLE = "color: #64748b;"
#: The tabs by name, in order (`notify-tray --settings TAB`).
TABS = ("account", "notifications", "hosting")
WARNING_STYLE = "color: #92400e;"


@dataclass(frozen=True, slots=True)
class Situation:
    """What the dialog says besides the preferences."""

    account: str = ""  # "alice @ http://hub:8765", "" when signed out
    keyring: str = ""  # why the keyring does not keep the sign-in; "" when it does
    notifications: str = ""  # what keeps "Show notifications as" from being followed, or what is missing
    hosting: str = ""  # where a running hosted hub listens, when that is not what is saved


def _label(text: str = "", *, style: str = "", bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(not bold)
    if style:
        label.setStyleSheet(style)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _choices(pairs: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    for value, text in pairs:
        combo.addItem(text, value)
    return combo


def _choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    if index < 0 and combo.isEditable():
        combo.setEditText(value)
    else:
        combo.setCurrentIndex(max(0, index))


class SettingsDialog(QDialog):
    saved = Signal(dict)
    sign_out_requested = Signal()
    keyring_retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("lan-notify settings")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._account_tab(), "Account")
        self.tabs.addTab(self._notifications_tab(), "Notifications")
        self.tabs.addTab(self._hosting_tab(), "Startup and hosting")
        self.error = _label(style="color: #b91c1c;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        keep_fitted(self)

    # ------------------------------------------------------------------ the tabs

    def _account_tab(self) -> QWidget:
        self.hub = QLineEdit()
        self.hub.setPlaceholderText("http://hub.lan:8765")
        self.account = _label()
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self.keyring = _label()
        self.keyring_retry = QPushButton("Try the keyring again")
        self.keyring_retry.clicked.connect(self.keyring_retry_requested)
        self.ca_file = QLineEdit()  # tls/ca_file (docs/desktop.md: trusting a LAN hub)
        self.ca_file.setPlaceholderText("empty: the system's CAs")
        ca_note = _label("For https hubs whose certificate this computer's CAs do not vouch for.", style=NOTE_STYLE)
        account_row = QHBoxLayout()
        account_row.addWidget(self.account, 1)
        account_row.addWidget(self.sign_out_button, 0, Qt.AlignmentFlag.AlignTop)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.keyring_retry)
        retry_row.addStretch(1)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Hub address", self.hub)
        form.addRow("Signed in as", account_row)
        form.addRow("Saved sign-in", self.keyring)
        form.addRow("", retry_row)
        form.addRow("CA file", self.ca_file)
        form.addRow("", ca_note)
        return page

    def _notifications_tab(self) -> QWidget:
        self.show_as = _choices(CHOICES)
        self.show_as_note = _label(style=WARNING_STYLE)
        self.corner = _choices(CORNERS)
        self.min_priority = _choices(MIN_PRIORITIES)
        self.min_priority.setToolTip("Notifications below it go to the history and the badge only; min never pops up")
        self.durations: dict[str, QDoubleSpinBox] = {}
        self.sounds: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setColumnStretch(3, 1)
        for column, heading in enumerate(("Type", "On screen", "Sound")):
            align = Qt.AlignmentFlag.AlignHCenter if heading == "Sound" else Qt.AlignmentFlag.AlignLeft
            grid.addWidget(_label(heading, bold=True), 0, column, align)
        for row, ntype in enumerate(NotificationType, start=1):
            spin = QDoubleSpinBox()
            spin.setRange(0, 3600)
            spin.setDecimals(0)
            spin.setSuffix(" s")
            spin.setSpecialValueText("until closed")  # 0
            spin.setToolTip("Seconds a notification stays on screen; 0: until you close it")
            spin.setAccessibleName(f"seconds on screen for {ntype.value}")
            check = QCheckBox()
            check.setAccessibleName(f"sound for {ntype.value}")
            icon = QLabel()
            icon.setPixmap(type_pixmap(ntype.value, 16, self.devicePixelRatioF()))
            cell = QHBoxLayout()
            cell.setSpacing(6)
            cell.addWidget(icon)
            cell.addWidget(QLabel(ntype.value.capitalize()), 1)
            grid.addLayout(cell, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(check, row, 2, Qt.AlignmentFlag.AlignHCenter)
            self.durations[ntype.value] = spin
            self.sounds[ntype.value] = check
        self.quiet = QCheckBox("Quiet hours: every day from")
        self.quiet.setToolTip("Hold notifications (except errors, system and urgent ones) and sum them up afterwards")
        self.quiet_start = QTimeEdit(QTime(19, 0))
        self.quiet_end = QTimeEdit(QTime(8, 0))
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
            edit.setEnabled(False)
            self.quiet.toggled.connect(edit.setEnabled)  # the times matter only with quiet hours on
        quiet_row = QHBoxLayout()
        quiet_row.addWidget(self.quiet)
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(QLabel("to"))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)
        quiet_note = _label("Errors, system and urgent notifications still show; the rest wait, summed up afterwards.",
                            style=NOTE_STYLE)  # fmt: skip
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QFormLayout()
        top.addRow("Show notifications as", self.show_as)
        top.addRow("", self.show_as_note)
        top.addRow("Screen corner", self.corner)
        top.addRow("Show toasts from priority", self.min_priority)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addLayout(quiet_row)
        layout.addWidget(quiet_note)
        layout.addStretch(1)
        return page

    def _hosting_tab(self) -> QWidget:
        self.autostart = QCheckBox("Start lan-notify when I log in")
        self.host_interface = QComboBox()
        self.host_interface.setEditable(True)  # or an address of this computer's, typed
        for value, text in INTERFACES:
            self.host_interface.addItem(text, value)
        self.host_port = QSpinBox()
        self.host_port.setRange(0, 65535)
        self.host_port.setSpecialValueText("any free port")  # 0
        self.host_now = _label(style=WARNING_STYLE)
        host_note = _label("A hub hosted here uses these when it starts.", style=NOTE_STYLE)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.autostart)
        form = QFormLayout()
        form.addRow("Listen on", self.host_interface)
        form.addRow("Port", self.host_port)
        form.addRow("", host_note)
        form.addRow("", self.host_now)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------ showing and reading

    def load(self, prefs: Preferences, situation: Situation, *, autostart: bool, show_as: str) -> None:
        """Show the saved preferences; `show_as` is the way notifications are shown now (`toasts`, `system`)."""
        self.hub.setText(prefs.hub_url)
        self.ca_file.setText(prefs.ca_file)
        self.account.setText(situation.account or "Not signed in")
        self.sign_out_button.setEnabled(bool(situation.account))
        self.set_keyring(situation.keyring, signed_in=bool(situation.account))
        _choose(self.show_as, show_as)
        self.show_as_note.setText(situation.notifications)
        self.show_as_note.setVisible(bool(situation.notifications))
        _choose(self.corner, prefs.toast_corner)
        _choose(self.min_priority, prefs.min_priority)
        for ntype in NotificationType:
            seconds = prefs.toast_duration(ntype.value)
            self.durations[ntype.value].setValue(0 if seconds is None else seconds)
            self.sounds[ntype.value].setChecked(prefs.sound(ntype.value))
        quiet = prefs.quiet_hours
        self.quiet.setChecked(bool(quiet))
        if quiet:
            start, end = quiet.split("-", 1)
            self.quiet_start.setTime(QTime.fromString(start, "HH:mm"))
            self.quiet_end.setTime(QTime.fromString(end, "HH:mm"))
        self.autostart.setChecked(autostart)
        _choose(self.host_interface, prefs.host_interface)
        self.host_port.setValue(prefs.host_port)
        self.host_now.setText(situation.hosting)
        self.host_now.setVisible(bool(situation.hosting))
        self.show_error("")

    def show_tab(self, name: str) -> None:
        """Bring one of `TABS` to the front."""
        self.tabs.setCurrentIndex(TABS.index(name))

    def set_keyring(self, reason: str, *, signed_in: bool) -> None:
        """Whether the keyring keeps the sign-in; with a reason why not, "Try the keyring again" is offered."""
        if reason:
            self.keyring.setText(f"Kept for this session only. {reason}")
        else:
            self.keyring.setText("Kept in the system keyring." if signed_in else "None: you are not signed in.")
        self.keyring.setStyleSheet(WARNING_STYLE if reason else "")
        self.keyring_retry.setVisible(bool(reason) and signed_in)
        self.keyring_retry.setEnabled(True)

    def values(self) -> dict[str, object]:
        interface = self.host_interface.currentText().strip()
        index = self.host_interface.findText(interface)
        values: dict[str, object] = {
            "hub/url": self.hub.text().strip(),
            "tls/ca_file": self.ca_file.text().strip(),
            "notifications/show_as": self.show_as.currentData(),
            "toasts/corner": self.corner.currentData(),
            "toasts/min_priority": self.min_priority.currentData(),
            "startup/autostart": self.autostart.isChecked(),
            "dnd/quiet_hours": (
                f"{self.quiet_start.time().toString('HH:mm')}-{self.quiet_end.time().toString('HH:mm')}"
                if self.quiet.isChecked()
                else ""
            ),
            "host/interface": self.host_interface.itemData(index) if index >= 0 else (interface or "0.0.0.0"),
            "host/port": self.host_port.value(),
        }
        for ntype in NotificationType:
            values[f"toasts/duration/{ntype.value}"] = int(self.durations[ntype.value].value())
            values[f"sound/{ntype.value}"] = self.sounds[ntype.value].isChecked()
        return values

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def submit(self) -> None:
        self.saved.emit(self.values())
