"""The trust-on-first-use dialog (pytest-qt, offscreen): what it shows, and the answer it gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.core.preferences import Preferences
from desktop.core.trust import PromptKind, TrustPrompt
from desktop.ui.trust_dialog import TrustDialog

FP = ":".join(f"{b:02X}" for b in range(32))
OLD = ":".join(f"{b:02X}" for b in range(100, 132))


@pytest.fixture
def dialog(qtbot: QtBot) -> TrustDialog:
    d = TrustDialog()
    qtbot.addWidget(d)
    return d


def test_a_new_certificate_shows_the_hub_and_its_fingerprint(qtbot: QtBot, dialog: TrustDialog) -> None:
    dialog.ask(TrustPrompt(PromptKind.NEW, "https://hub.lan:8765", FP, reason="self-signed certificate"))
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.heading.text() == "Trust this hub's certificate?"
    assert dialog.hub.text() == "Hub: https://hub.lan:8765"
    assert "self-signed certificate" in dialog.text.text()
    assert "notify-hub tls self-signed" in dialog.text.text()
    assert dialog.fingerprint.text().replace(":\n", ":").endswith(FP)
    assert not dialog.pinned.isVisible()
    assert dialog.refuse_button.isDefault()  # Enter does not trust by accident
    assert dialog.trust_button.text() == "Trust this certificate"
    for label in dialog.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(dialog.answered) as answered:
        QTest.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    assert answered.args == [True]
    assert not dialog.isVisible()


def test_refusing_or_closing_answers_no(qtbot: QtBot, dialog: TrustDialog) -> None:
    dialog.ask(TrustPrompt(PromptKind.NEW, "https://hub.lan:8765", FP))
    with qtbot.waitSignal(dialog.answered) as answered:
        QTest.mouseClick(dialog.refuse_button, Qt.MouseButton.LeftButton)
    assert answered.args == [False]
    dialog.ask(TrustPrompt(PromptKind.NEW, "https://hub.lan:8765", FP))
    with qtbot.waitSignal(dialog.answered) as answered:
        dialog.close()
    assert answered.args == [False]


def test_a_changed_certificate_is_a_warning_with_both_fingerprints(qtbot: QtBot, dialog: TrustDialog) -> None:
    dialog.ask(TrustPrompt(PromptKind.CHANGED, "https://hub.lan:8765", FP, pinned=OLD))
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.heading.text() == "Warning: the hub's certificate has changed"
    assert "intercepting" in dialog.text.text()
    assert dialog.fingerprint.text().replace(":\n", ":").endswith(FP)
    assert dialog.pinned.isVisible() and dialog.pinned.text().replace(":\n", ":").endswith(OLD)
    assert dialog.refuse_button.text() == "Keep refusing" and dialog.refuse_button.isDefault()
    with qtbot.waitSignal(dialog.answered) as answered:
        QTest.mouseClick(dialog.refuse_button, Qt.MouseButton.LeftButton)
    assert answered.args == [False]


def test_pins_in_qsettings_survive_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "settings.ini")
    prefs = Preferences(QSettings(path, QSettings.Format.IniFormat))
    prefs.pins.pin("https://hub.lan:8765", FP)
    prefs.pins.pin("https://other.lan", OLD)  # two entries: the JSON has commas, which INI files treat specially
    again = Preferences(QSettings(path, QSettings.Format.IniFormat))
    assert again.pins.pinned("https://hub.lan:8765/") == FP
    assert again.pins.pinned("https://other.lan:443") == OLD
    again.pins.forget("https://other.lan")
    assert Preferences(QSettings(path, QSettings.Format.IniFormat)).pins.pinned("https://other.lan") is None
    assert again.ca_file == ""
