"""The app-menu entry: a freedesktop `.desktop` file and the app's icon in the user's icon theme. No Qt.

`install()` writes two files under `$XDG_DATA_HOME` (default `~/.local/share`), and `uninstall()`
removes exactly those two (the icon stays while the login entry of `desktop.system.autostart` shows it):

    applications/<DESKTOP_ENTRY_ID>.desktop          the entry (Desktop Entry Specification 1.4)
    icons/hicolor/scalable/apps/<ICON_NAME>.svg      its icon, found by name through the icon theme

Both names come from `desktop.core.identity`, the one home of the names this app goes by on the desktop.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import resources
from desktop.core.identity import DESKTOP_ENTRY_ID, ICON_NAME

#: Qt's default X11 WM_CLASS for this app (its application name), so docks group its windows under the entry.
WM_CLASS: Final = "notify-tray"

# Characters that make an Exec argument need double quotes (Desktop Entry Specification, "The Exec key").
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True, slots=True)
class EntryFiles:
    entry: Path
    icon: Path

    def all(self) -> tuple[Path, Path]:
        return (self.entry, self.icon)


def data_home() -> Path:
    """`$XDG_DATA_HOME`, or `~/.local/share` when it is unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def entry_files(home: Path | None = None) -> EntryFiles:
    base = home or data_home()
    return EntryFiles(
        entry=base / "applications" / f"{DESKTOP_ENTRY_ID}.desktop",
        icon=base / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg",
    )


def launch_command() -> list[str]:
    """How the menu starts this app: the installed `notify-tray` script, else `python -m desktop.app`."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "notify-tray" and script.exists():
        return [str(script.resolve())]
    return [sys.executable, "-m", "desktop.app"]


def started_as_installed_command() -> bool:
    """True when this process is the `notify-tray` script of an installed package (pip, pipx)."""
    return launch_command()[0].endswith("notify-tray")


def exec_argument(arg: str) -> str:
    """One argument of an `Exec=` value: quoted and escaped as the spec says, `%` doubled."""
    arg = arg.replace("%", "%%")
    if arg and not (_RESERVED & set(arg)):
        return arg
    quoted = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    return f'"{quoted}"'


def exec_value(command: Sequence[str]) -> str:
    """A whole `Exec=` value as written in the file: a string value escapes each backslash once more."""
    return " ".join(exec_argument(arg) for arg in command).replace("\\", "\\\\")


def entry_text(command: Sequence[str]) -> str:
    start = exec_value(command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.4\n"
        "Name=lan-notify\n"
        "GenericName=Team notifications\n"
        "Comment=Notifications from your team and your scripts, on your LAN\n"
        f"Exec={start}\n"
        f"TryExec={exec_value(command[:1])}\n"
        f"Icon={ICON_NAME}\n"
        "Terminal=false\n"
        "Categories=Network;InstantMessaging;\n"
        "Keywords=notify;notification;alert;message;LAN;\n"
        "StartupNotify=false\n"
        f"StartupWMClass={WM_CLASS}\n"
        "X-GNOME-UsesNotifications=true\n"
        "Actions=compose;menu;settings;\n"
        "\n"
        "[Desktop Action compose]\n"
        "Name=Send a message\n"
        f"Exec={start} --compose\n"
        "\n"
        "[Desktop Action menu]\n"
        "Name=Open the menu\n"
        f"Exec={start} --show-menu\n"
        "\n"
        "[Desktop Action settings]\n"
        "Name=Settings\n"
        f"Exec={start} --settings\n"
    )


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: a menu that reads the folder never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def install_icon(home: Path | None = None) -> Path:
    """Write (or rewrite) the app's icon into the user's icon theme; returns where it is."""
    icon = entry_files(home).icon
    _write(icon, resources.app_icon_svg())
    # The icon theme's folder changed: menus that cache the theme look again when its time moves on.
    os.utime(icon.parents[2])
    return icon


def install(command: Sequence[str] | None = None, home: Path | None = None) -> EntryFiles:
    """Write (or rewrite) the entry and its icon; returns where they are."""
    files = entry_files(home)
    install_icon(home)
    _write(files.entry, entry_text(list(command or launch_command())).encode("utf-8"))
    return files


def uninstall(home: Path | None = None, *, keep_icon: bool = False) -> list[Path]:
    """Remove the entry and its icon (only those two files; the icon stays with `keep_icon`, while the login
    entry shows it); returns the ones that were there."""
    files = entry_files(home)
    removed = []
    for path in files.all():
        if path.exists() and not (keep_icon and path == files.icon):
            path.unlink()
            removed.append(path)
    return removed


def remove_icon(home: Path | None = None) -> None:
    entry_files(home).icon.unlink(missing_ok=True)


def installed(home: Path | None = None) -> bool:
    return entry_files(home).entry.exists()
