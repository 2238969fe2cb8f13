"""The directory behind the Rooms and Online menus, and the small platform helpers (sound, autostart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.directory import Directory
from desktop.system import autostart
from desktop.system.sound import SoundPlayer, player_command


def test_presence_rooms_and_watched_teammates() -> None:
    d = Directory("alice", watched=["carol"])
    changes: list[int] = []
    came: list[str] = []
    d.subscribe(lambda: changes.append(1))
    d.on_came_online(came.append)
    d.set_online(["alice", "carol"], initial=True)  # the list at connect: no "came online" toast
    assert came == [] and d.online_people() == ["carol"]
    d.set_online(["alice"])
    d.set_online(["alice", "carol", "bob"])
    assert came == ["carol"]  # only the watched one
    d.set_users({"ok": True, "users": [{"name": "dave"}, {"name": "alice"}, "junk"]})
    assert d.users == ["alice", "dave"]
    d.set_rooms({"ok": True, "rooms": [
        {"name": "ops", "member": True, "restricted": False, "members": 2},
        {"name": "dev", "member": False, "restricted": False, "members": 1},
        {"name": "board", "member": False, "restricted": True, "members": 3},
    ]})  # fmt: skip
    assert d.my_rooms == ["ops"] and d.open_rooms == ["dev"]  # restricted rooms are not offered
    d.set_member("dev", True)
    d.set_member("ops", False)
    d.set_member("new", True)
    assert d.my_rooms == ["dev", "new"] and d.open_rooms == ["ops"]
    d.watch("bob", True)
    assert d.watched == {"bob", "carol"}
    assert len(changes) >= 8
    d.reset("bob")
    assert (d.me, d.users, d.rooms, d.online) == ("bob", [], [], frozenset())


def test_accounts_that_cannot_receive_are_not_people_to_write_to() -> None:
    d = Directory("alice")
    d.set_users({"users": [{"name": "alice", "receives": True}, {"name": "ci", "receives": False}, {"name": "bob"}]})
    assert d.users == ["alice", "bob", "ci"] and d.send_only == {"ci"}
    assert d.people == ["alice", "bob"]  # a hub that does not say `receives` (bob): he receives
    d.reset("alice")
    assert d.send_only == frozenset()


def test_sound_plays_beeps_or_stays_silent_and_never_fails(tmp_path: Path) -> None:
    beeps: list[int] = []
    on = SoundPlayer(lambda t: t != "info", fallback=lambda: beeps.append(1), command=lambda t: None)
    assert on.play("info") == "off"
    assert on.play("error") == "beep" and beeps == [1]
    silent = SoundPlayer(lambda t: True, command=lambda t: None)
    assert silent.play("error") == "silent"
    missing = SoundPlayer(lambda t: True, command=lambda t: [str(tmp_path / "no-such-player")])
    assert missing.play("error") == "silent"  # the player vanished: no exception

    def broken() -> None:
        raise RuntimeError("no audio")

    assert SoundPlayer(lambda t: True, fallback=broken, command=lambda t: None).play("message") == "silent"
    assert player_command("error", which=lambda name: None) is None  # no player here: the UI beeps


def test_autostart_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))  # where its icon goes
    assert not autostart.enabled()
    path = autostart.enable(command=["/opt/bin/notify-tray"])
    assert path == tmp_path / "cfg" / "autostart" / "lan-notify-tray.desktop"
    text = path.read_text()
    assert "[Desktop Entry]" in text and "Exec=/opt/bin/notify-tray\n" in text and autostart.enabled()
    autostart.disable()
    assert not autostart.enabled()
    autostart.disable()  # twice is fine
    assert "RunAtLoad" in autostart.entry_text(["notify-tray"], platform="darwin")
    assert autostart.entry_path(tmp_path, platform="darwin").name.endswith(".plist")
    assert autostart.entry_text(["C:\\notify-tray.exe"], platform="win32").startswith("@echo off")
