"""The names this app goes by on the desktop, in one place. No Qt.

`DESKTOP_ENTRY_ID` is the app-menu entry's file name without `.desktop` (`desktop.system.desktop_entry`),
the login entry's (`desktop.system.autostart`), and what a freedesktop notification's `desktop-entry` hint
says (`desktop.core.bubbles`), so that the notification server files the notifications under this app.
"""

from __future__ import annotations

from typing import Final

#: The desktop entry's id: `<DESKTOP_ENTRY_ID>.desktop` in `applications/` and in `autostart/`, and the value
#: of the `desktop-entry` hint of the notifications this app shows.
DESKTOP_ENTRY_ID: Final = "lan-notify-tray"
#: The app's icon by its name in the icon theme (the entries' `Icon=`).
ICON_NAME: Final = "lan-notify"
