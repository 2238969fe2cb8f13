"""What the app shows, as JSON lines (`notify-tray --report FILE`): for end-to-end tests and bug reports.

Never a token or a password: only states, toasts, counts and notices.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from desktop.core.toasts import ToastView


class Reporter:
    """JSON lines of what the app shows (for end-to-end tests and bug reports); never a secret."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._reported_toasts: dict[int, tuple[str, str, int]] = {}
        self._closed_ids: dict[int, int | None] = {}  # toast key -> its notification id, for `toast_closed`
        self._paused = False

    def event(self, name: str, **fields: Any) -> None:
        if self._stream is None:
            return
        self._stream.write(json.dumps({"event": name, **fields}) + "\n")
        self._stream.flush()

    def toasts(self, view: ToastView) -> None:
        """A `toast` for each toast that appeared, a `toast_updated` when one changed in place (a growing summary),
        a `toast_closed` when one left (it expired, or was closed or folded), `toasts_paused` when the pointer
        came over the toasts or left them."""
        for key in [k for k in self._reported_toasts if k not in view.alive]:
            del self._reported_toasts[key]
            self.event("toast_closed", notification_id=self._closed_ids.pop(key, None))
        if view.paused != self._paused:
            self._paused = view.paused
            self.event("toasts_paused", paused=view.paused)
        for info in view.visible:
            shown = (info.title, info.message, info.count)
            before = self._reported_toasts.get(info.key)
            if before == shown:
                continue
            self._reported_toasts[info.key] = shown
            self._closed_ids[info.key] = info.notification_id
            self.event("toast" if before is None else "toast_updated", kind=info.kind.value, style=info.style,
                       title=info.title, message=info.message, notification_id=info.notification_id,
                       count=info.count)  # fmt: skip
