"""Fixtures for the desktop tests: Qt runs offscreen, the binding is pinned, keyring is never the real one."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.core.preferences import Preferences  # Qt-free
from tests.support.e2e import ARTIFACTS, Desktop  # no Qt in this process: the app runs in a child
from tests.support.fakehub import FakeHub
from tests.support.shots import Shots, output_dir

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


@pytest.fixture
async def desktop(tmp_path: Path) -> AsyncIterator[Desktop]:
    """A started virtual desktop for the real `notify-tray` (tests.support.e2e); stopped at the end."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen = Desktop(tmp_path / "home")
    try:
        await screen.start()
        yield screen
    finally:
        await screen.stop()


@pytest.fixture
async def shots(tmp_path: Path) -> AsyncIterator[Shots]:
    """A virtual screen with a tray host, a keyring and a plain backdrop, and a camera for it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen = Desktop(tmp_path / "home")
    try:
        await screen.start(wallpaper=True)
        yield Shots(screen, await screen.camera(), output_dir())
    finally:
        await screen.stop()


@pytest.fixture
async def fake_hub() -> AsyncIterator[FakeHub]:
    """The stand-in hub of tests/support/fakehub.py, started on a free port (alice and bob can sign in)."""
    fake = FakeHub()
    await fake.start()
    yield fake
    await fake.stop()
