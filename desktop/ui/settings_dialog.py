"""The settings dialog: hub and account, toasts (corner, per-type duration and sound), start at login,
quiet hours, hosting. It shows values and emits `saved({QSettings key: value})`; the app stores and
applies them at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.icons import type_pixmap
from desktop.ui.settings import CORNERS, Preferences
from hub.protocol import NotificationType


def _label(text: str = "", *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(not bold)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


class SettingsDialog(QDialog):
    saved = Signal(dict)
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("lan-notify settings")
        # Hub and account
        self.hub = QLineEdit()
        self.hub.setPlaceholderText("http://hub.lan:8765")
        self.account = _label()
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        account_row = QHBoxLayout()
        account_row.addWidget(self.account, 1)
        account_row.addWidget(self.sign_out_button)
        hub_box = QGroupBox("Hub and account")
        hub_form = QFormLayout(hub_box)
        hub_form.addRow("Hub address", self.hub)
        hub_form.addRow("Account", account_row)
        self.ca_file = QLineEdit()  # tls/ca_file (docs/desktop.md: trusting a LAN hub)
        self.ca_file.setPlaceholderText("CA file for https hubs (empty: the system's CAs)")
        hub_form.addRow("CA file", self.ca_file)

        # Toasts
        self.corner = QComboBox()
        self.corner.addItems(list(CORNERS))
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
            spin.setToolTip("Seconds a toast stays on screen; 0: until you close it")
            spin.setAccessibleName(f"seconds on screen for {ntype.value}")
            check = QCheckBox()
            check.setAccessibleName(f"sound for {ntype.value}")
            name = _label(ntype.value.capitalize())
            icon = QLabel()
            icon.setPixmap(type_pixmap(ntype.value, 16, self.devicePixelRatioF()))
            cell = QHBoxLayout()
            cell.setSpacing(6)
            cell.addWidget(icon)
            cell.addWidget(name, 1)
            grid.addLayout(cell, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(check, row, 2, Qt.AlignmentFlag.AlignHCenter)
            self.durations[ntype.value] = spin
            self.sounds[ntype.value] = check
        toast_box = QGroupBox("Toasts")
        toast_layout = QVBoxLayout(toast_box)
        corner_row = QFormLayout()
        corner_row.addRow("Screen corner", self.corner)
        toast_layout.addLayout(corner_row)
        toast_layout.addLayout(grid)

        # Quiet hours, start at login, hosting
        self.quiet = QCheckBox("Quiet hours: hold toasts (except error and system) every day from")
        self.quiet_start = QTimeEdit(QTime(19, 0))
        self.quiet_end = QTimeEdit(QTime(8, 0))
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
            edit.setEnabled(False)
            self.quiet.toggled.connect(edit.setEnabled)  # the times matter only with quiet hours on
        quiet_row = QHBoxLayout()
        quiet_row.addWidget(self.quiet)
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(_label("to"))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)
        self.autostart = QCheckBox("Start lan-notify when I log in")
        self.host_interface = QLineEdit()
        self.host_interface.setPlaceholderText("0.0.0.0 (every interface)")
        self.host_port = QSpinBox()
        self.host_port.setRange(0, 65535)
        host_box = QGroupBox("Hosting a hub on this computer")
        host_form = QFormLayout(host_box)
        host_form.addRow("Listen on", self.host_interface)
        host_form.addRow("Port", self.host_port)
        self.host_note = _label("Used when the hub starts: a hub running here keeps its address until you quit.")
        self.host_note.setStyleSheet("color: #64748b;")
        host_form.addRow(self.host_note)
        self.error = _label()
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hub_box)
        layout.addWidget(toast_box)
        layout.addLayout(quiet_row)
        layout.addWidget(self.autostart)
        layout.addWidget(host_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def load(self, prefs: Preferences, *, account: str, autostart: bool) -> None:
        self.hub.setText(prefs.hub_url)
        self.ca_file.setText(prefs.ca_file)
        self.account.setText(account or "Not signed in")
        self.sign_out_button.setEnabled(bool(account))
        self.corner.setCurrentText(prefs.toast_corner)
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
        self.host_interface.setText(prefs.host_interface)
        self.host_port.setValue(prefs.host_port)
        self.show_error("")

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "hub/url": self.hub.text().strip(),
            "tls/ca_file": self.ca_file.text().strip(),
            "toasts/corner": self.corner.currentText(),
            "startup/autostart": self.autostart.isChecked(),
            "dnd/quiet_hours": (
                f"{self.quiet_start.time().toString('HH:mm')}-{self.quiet_end.time().toString('HH:mm')}"
                if self.quiet.isChecked()
                else ""
            ),
            "host/interface": self.host_interface.text().strip() or "0.0.0.0",
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
