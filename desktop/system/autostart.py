"""Start at login: a freedesktop autostart entry on Linux, a LaunchAgent on macOS, the Startup folder on Windows.

`enable()` writes the entry (pointing at the command that started this app), `disable()` removes
it, `enabled()` tells whether it is there. Only the one entry this app owns is ever touched. No Qt.

On Linux the entry is `$XDG_CONFIG_HOME/autostart/lan-notify-tray.desktop`, quoted as the app-menu entry
is (`desktop.system.desktop_entry.exec_value`: a path with spaces or quotes still starts the app), with
the app's icon by its theme name. The icon goes into the user's icon theme with the login entry, so the
entry shows it whether or not the app-menu entry is installed; `disable()` takes the icon away again
unless the app-menu entry still uses it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from desktop.core.identity import DESKTOP_ENTRY_ID, ICON_NAME
from desktop.system import desktop_entry
from desktop.system.desktop_entry import exec_value, launch_command

__all__ = ["disable", "enable", "enabled", "entry_path", "entry_text", "launch_command"]


def entry_path(home: Path | None = None, platform: str = sys.platform) -> Path:
    home = home or Path.home()
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"org.lan-notify.{DESKTOP_ENTRY_ID}.plist"
    if platform == "win32":
        appdata = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / f"{DESKTOP_ENTRY_ID}.cmd"
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / f"{DESKTOP_ENTRY_ID}.desktop"


def entry_text(command: list[str], platform: str = sys.platform) -> str:
    if platform == "darwin":
        args = "".join(f"    <string>{escape(part)}</string>\n" for part in command)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
            '<plist version="1.0"><dict>\n'
            f"  <key>Label</key><string>org.lan-notify.{DESKTOP_ENTRY_ID}</string>\n"
            f"  <key>ProgramArguments</key><array>\n{args}  </array>\n"
            "  <key>RunAtLoad</key><true/>\n"
            "</dict></plist>\n"
        )
    if platform == "win32":
        return '@echo off\r\nstart "" ' + " ".join(f'"{part}"' for part in command) + "\r\n"
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=lan-notify\n"
        "Comment=Team notifications on your LAN\n"
        f"Exec={exec_value(command)}\n"
        f"Icon={ICON_NAME}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def enabled(home: Path | None = None) -> bool:
    return entry_path(home).exists()


def enable(home: Path | None = None, command: list[str] | None = None) -> Path:
    path = entry_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(entry_text(command or launch_command()), encoding="utf-8")
    if sys.platform not in {"darwin", "win32"}:
        desktop_entry.install_icon()
    return path


def disable(home: Path | None = None) -> None:
    entry_path(home).unlink(missing_ok=True)
    if sys.platform not in {"darwin", "win32"} and not desktop_entry.installed():
        desktop_entry.remove_icon()
