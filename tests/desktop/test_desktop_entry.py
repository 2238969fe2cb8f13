"""The app-menu entry: `notify-tray --install-desktop-entry` writes a valid freedesktop entry and the icon,
`--uninstall-desktop-entry` removes them, and a first run of an installed app offers it once."""

from __future__ import annotations

import asyncio
import io
import json
import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

import resources
from desktop.app.menu_entry_flow import MenuEntryOffer
from desktop.core.bubbles import Bubble
from desktop.core.identity import DESKTOP_ENTRY_ID
from desktop.core.preferences import Preferences
from desktop.system import autostart, desktop_entry
from desktop.system.report import Reporter
from tests.support.servers import unavailable

ROOT = Path(__file__).resolve().parents[2]


def validate(path: Path) -> None:
    """Debian's desktop-file-validate (desktop-file-utils, installed by scripts/bootstrap.sh)."""
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        unavailable("desktop-file-validate is missing (Debian: desktop-file-utils)")
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def notify_tray(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.app", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
        cwd=ROOT,
    )


def test_the_command_installs_a_valid_entry_and_the_icon_and_uninstall_removes_them(tmp_path: Path) -> None:
    home = tmp_path / "data"
    installed = notify_tray("--install-desktop-entry", env={"XDG_DATA_HOME": str(home)})
    assert installed.returncode == 0, installed.stderr

    entry = home / "applications" / f"{DESKTOP_ENTRY_ID}.desktop"
    icon = home / "icons" / "hicolor" / "scalable" / "apps" / "lan-notify.svg"
    validate(entry)
    text = entry.read_text()
    assert f"Exec={sys.executable} -m desktop.app\n" in text  # how this test started it
    assert "Icon=lan-notify\n" in text and "Name=lan-notify\n" in text
    assert icon.read_bytes() == resources.app_icon_svg()
    assert str(entry) in installed.stderr
    assert sorted(p.name for p in home.rglob("*") if p.is_file()) == ["lan-notify-tray.desktop", "lan-notify.svg"]

    removed = notify_tray("--uninstall-desktop-entry", env={"XDG_DATA_HOME": str(home)})
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists() and not icon.exists()
    again = notify_tray("--uninstall-desktop-entry", env={"XDG_DATA_HOME": str(home)})
    assert again.returncode == 0 and "there was none" in again.stderr


def test_an_install_path_with_spaces_quotes_and_percent_signs_stays_valid(tmp_path: Path) -> None:
    command = ["/opt/my apps/lan notify/bin/notify-tray", "--data-dir", '/home/jo "q"/100% $HOME\\x']
    files = desktop_entry.install(command, home=tmp_path)
    validate(files.entry)
    line = next(line for line in files.entry.read_text().splitlines() if line.startswith("Exec="))
    want = r'Exec="/opt/my apps/lan notify/bin/notify-tray" --data-dir "/home/jo \\"q\\"/100%% \\$HOME\\\\x"'
    assert line == want


def test_the_notification_hint_the_menu_entry_and_the_login_entry_use_the_one_id(tmp_path: Path) -> None:
    assert Bubble(summary="hello").desktop_entry == DESKTOP_ENTRY_ID == "lan-notify-tray"
    assert desktop_entry.entry_files(Path("/h")).entry.name == DESKTOP_ENTRY_ID + ".desktop"
    assert autostart.entry_path(Path("/h"), platform="linux").name == DESKTOP_ENTRY_ID + ".desktop"


AWKWARD = ["/opt/my apps/lan notify/bin/notify-tray", "--data-dir", "/home/jo 'q'/100% $HOME"]


def test_the_login_entry_starts_an_awkward_path_and_shows_the_apps_icon_without_the_menu_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    icon = desktop_entry.entry_files().icon
    login = autostart.enable(command=AWKWARD)
    validate(login)  # no single quotes: the spec's quoting, as in the app-menu entry
    lines = login.read_text().splitlines()
    menu_entry = desktop_entry.entry_text(AWKWARD).splitlines()
    assert next(x for x in lines if x.startswith("Exec=")) == next(x for x in menu_entry if x.startswith("Exec="))
    assert "Icon=lan-notify" in lines
    assert not desktop_entry.installed() and icon.read_bytes() == resources.app_icon_svg()  # found by its name

    autostart.disable()
    assert not login.exists() and not icon.exists()  # nothing else used the icon


def test_the_login_agent_on_macos_keeps_an_awkward_path_whole() -> None:
    agent = plistlib.loads(autostart.entry_text(["/Users/jo & co/<bin>/notify-tray"], platform="darwin").encode())
    assert agent["ProgramArguments"] == ["/Users/jo & co/<bin>/notify-tray"] and agent["RunAtLoad"] is True


def test_the_icon_stays_while_either_entry_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    files = desktop_entry.install(AWKWARD)
    autostart.enable(command=AWKWARD)
    autostart.disable()
    assert files.icon.exists()  # the app-menu entry still shows it

    autostart.enable(command=AWKWARD)
    removed = notify_tray("--uninstall-desktop-entry", env={"XDG_DATA_HOME": str(tmp_path / "share"),
                                                             "XDG_CONFIG_HOME": str(tmp_path / "config")})  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert not files.entry.exists() and files.icon.exists()  # the login entry still shows it
    autostart.disable()
    assert not files.icon.exists()


class Offer:
    def __init__(self, tmp_path: Path, ask: bool = True) -> None:
        self.settings_path = str(tmp_path / "settings.ini")
        self.home = tmp_path / "data"
        self.stream = io.StringIO()
        self.tasks: list[asyncio.Task[None]] = []
        self.flow = MenuEntryOffer(
            prefs=Preferences(QSettings(self.settings_path, QSettings.Format.IniFormat)),
            report=Reporter(self.stream),
            spawn=self.spawn,
            home=self.home,
            should_ask=lambda: ask,
        )

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.get_running_loop().create_task(coro))

    def events(self) -> list[str]:
        return [json.loads(line)["event"] for line in self.stream.getvalue().splitlines()]


async def test_a_first_run_offers_the_entry_once_without_blocking_and_yes_installs_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    offer = Offer(tmp_path)
    offer.flow.offer()  # returns at once: the question is a non-modal box
    box = offer.flow.box
    assert box is not None and box.isVisible() and not box.isModal()
    assert "applications menu" in box.text()

    box.button(QMessageBox.StandardButton.Yes).click()
    await asyncio.wait_for(asyncio.gather(*offer.tasks), 10)
    assert desktop_entry.installed(offer.home)
    assert offer.events() == ["menu_entry_offered", "menu_entry_installed"]

    # The next start (a new settings object on the same file) does not ask again.
    later = Offer(tmp_path)
    later.flow.offer()
    assert later.flow.box is None and later.events() == []


def test_not_now_is_remembered_too_and_nothing_is_written(qtbot: QtBot, tmp_path: Path) -> None:
    offer = Offer(tmp_path)
    offer.flow.offer()
    assert offer.flow.box is not None
    offer.flow.box.button(QMessageBox.StandardButton.No).click()
    assert offer.events() == ["menu_entry_offered", "menu_entry_declined"]
    assert not offer.home.exists()
    assert Preferences(QSettings(offer.settings_path, QSettings.Format.IniFormat)).menu_entry_offered


def test_nothing_is_asked_when_there_is_nothing_to_ask(qtbot: QtBot, tmp_path: Path) -> None:
    offer = Offer(tmp_path, ask=False)
    offer.flow.offer()
    assert offer.flow.box is None and offer.events() == []
    # and a run from this source tree (python -m pytest, not an installed notify-tray) is such a case
    assert not desktop_entry.started_as_installed_command()
