"""The sign-in dialog's list of hubs found on the LAN: pick one instead of typing its address.

A thin widget: `set_hubs()` shows what `desktop.net.discovery` found, `picked(url)` says which one
the user chose. Names come from the network, so they are shown as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.net.discovery import FoundHub

SEARCHING = "Looking for hubs on your network…"
FOUND = "Hubs on your network (pick one, or type an address below):"


class FoundHubsList(QWidget):
    #: The chosen hub's address, e.g. "https://192.168.1.20:8765".
    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(SEARCHING)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("color: #334155;")
        self.list = QListWidget()
        self.list.setMaximumHeight(96)
        self.list.setVisible(False)
        self.list.itemActivated.connect(self._chosen)
        self.list.itemClicked.connect(self._chosen)
        self.hubs: list[FoundHub] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.list)

    def set_hubs(self, hubs: list[FoundHub]) -> None:
        chosen = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
        self.hubs = list(hubs)
        self.list.clear()
        for hub in hubs:
            item = QListWidgetItem(hub.label)
            item.setData(Qt.ItemDataRole.UserRole, hub.url)
            tip = f"{hub.url}\nSHA-256 {hub.fingerprint}" if hub.fingerprint else hub.url
            item.setToolTip(tip)
            self.list.addItem(item)
            if hub.url == chosen:
                self.list.setCurrentItem(item)
        self.heading.setText(FOUND if hubs else SEARCHING)
        self.list.setVisible(bool(hubs))

    def _chosen(self, item: QListWidgetItem) -> None:
        self.picked.emit(str(item.data(Qt.ItemDataRole.UserRole)))
