"""A short sound per notification type, where the computer can play one; silence otherwise, never a failure.

PySide6-Essentials has no QtMultimedia, so the app uses the platform's own player when there is one
(`paplay` or `pw-play` with the freedesktop sound theme, `aplay`, macOS `afplay`) and otherwise asks
the UI for its beep (`QApplication.beep`). Playing runs in a child process that is never waited
for on the UI's time; any error is logged at debug level and forgotten. No Qt here.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from desktop.core.toasts import ToastKind, ToastView

log = logging.getLogger(__name__)

#: freedesktop sound-theme names per type (the files live under /usr/share/sounds/freedesktop/stereo).
THEME_SOUNDS: Final = {
    "info": "message",
    "success": "complete",
    "warning": "dialog-warning",
    "error": "dialog-error",
    "message": "message-new-instant",
    "system": "dialog-information",
}
THEME_DIRS: Final = (Path("/usr/share/sounds/freedesktop/stereo"),)
MAC_SOUNDS: Final = Path("/System/Library/Sounds")


def _theme_file(ntype: str) -> Path | None:
    name = THEME_SOUNDS.get(ntype, "message")
    for folder in THEME_DIRS:
        for ext in (".oga", ".ogg", ".wav"):
            candidate = folder / f"{name}{ext}"
            if candidate.is_file():
                return candidate
    return None


def player_command(ntype: str, which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command that plays this type's sound here, or None (then the UI beeps, or stays silent)."""
    if sys.platform == "darwin" and which("afplay"):
        sound = MAC_SOUNDS / ("Basso.aiff" if ntype == "error" else "Glass.aiff")
        return ["afplay", str(sound)] if sound.exists() else None
    sound_file = _theme_file(ntype)
    if sound_file is None:
        return None
    for player in ("paplay", "pw-play"):
        if which(player):
            return [player, str(sound_file)]
    if sound_file.suffix == ".wav" and which("aplay"):
        return ["aplay", "-q", str(sound_file)]
    return None


class SoundPlayer:
    """Plays per-type sounds if enabled; `fallback` (the UI's beep) when no player exists."""

    def __init__(
        self,
        enabled: Callable[[str], bool],
        fallback: Callable[[], None] | None = None,
        command: Callable[[str], Sequence[str] | None] = player_command,
    ) -> None:
        self._enabled = enabled
        self._fallback = fallback
        self._command = command
        self._children: list[subprocess.Popen[bytes]] = []
        #: What the last `play` did: "played", "beep", "silent" or "off" (for tests and the report).
        self.last = ""

    def play(self, ntype: str, *, force: bool = False) -> str:
        """Play the type's sound if it is on (`force`: whatever the setting, for a high or urgent notification)."""
        self._children = [c for c in self._children if c.poll() is None]
        if not force and not self._enabled(ntype):
            self.last = "off"
            return self.last
        command = self._command(ntype)
        if command:
            try:
                self._children.append(
                    subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
                self.last = "played"
                return self.last
            except OSError as exc:
                log.debug("could not play a sound: %s", exc)
        if self._fallback is not None:
            try:
                self._fallback()
                self.last = "beep"
            except Exception:
                log.debug("beep failed", exc_info=True)
                self.last = "silent"
        else:
            self.last = "silent"
        return self.last


class SoundCues:
    """Plays the sound of each notification toast that appears in a toast policy's views, once per toast
    (subscribe it to the policy); `heard(type, result)` hears what each did (for the report)."""

    def __init__(self, player: SoundPlayer, heard: Callable[[str, str], None]) -> None:
        self._player = player
        self._heard = heard
        self._sounded: set[int] = set()

    def __call__(self, view: ToastView) -> None:
        for info in view.visible:
            if info.kind is ToastKind.NOTIFICATION and info.key not in self._sounded:
                self._sounded.add(info.key)
                level = info.notification.priority.level if info.notification is not None else 3
                if level <= 2:  # min and low: no sound
                    self._heard(info.style, "off")
                else:
                    self._heard(info.style, self._player.play(info.style, force=level >= 4))
