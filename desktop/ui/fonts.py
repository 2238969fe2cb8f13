"""Emoji in colour: the first colour emoji font this computer has becomes Qt's emoji font.

Without one, an emoji in a toast or the history is an empty box. Linux gets Noto Color Emoji
from `scripts/bootstrap.sh` (Debian: fonts-noto-color-emoji); macOS and Windows ship their own.
Qt then draws emoji (and text such as "❤️" that asks for the emoji form) from that font, whatever
font the rest of the text uses.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QFontDatabase

#: Colour emoji fonts, most wanted first: Linux, macOS, Windows, then others that Linux desktops package.
EMOJI_FAMILIES: Final = ("Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Twemoji", "JoyPixels")


def use_colour_emoji() -> str | None:
    """Make the first installed colour emoji font Qt's emoji font; returns its family (None: none installed)."""
    installed = set(QFontDatabase.families())
    for family in EMOJI_FAMILIES:
        if family in installed:
            if family not in QFontDatabase.applicationEmojiFontFamilies():
                QFontDatabase.addApplicationEmojiFontFamily(family)
            return family
    return None
