"""Fixtures for the desktop tests: Qt runs offscreen, the binding is pinned, keyring is never the real one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.core.preferences import Preferences  # Qt-free

# Before anything imports Qt: draw offscreen, and make qasync pick PySide6 even if PyQt is around.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
# No test may reach the developer's real keyring by accident; tests that want one set it up themselves.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    """The app's preferences in tmp_path/settings.ini."""
    from tests.support.apps import ini_preferences  # imports Qt: after the settings above

    return ini_preferences(tmp_path / "settings.ini")
