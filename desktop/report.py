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

    def event(self, name: str, **fields: Any) -> None:
        if self._stream is None:
            return
        self._stream.write(json.dumps({"event": name, **fields}) + "\n")
        self._stream.flush()

    def toasts(self, view: ToastView) -> None:
        """A `toast` for each toast that appeared, a `toast_updated` when one changed in place (a growing summary)."""
        for info in view.visible:
            shown = (info.title, info.message, info.count)
            before = self._reported_toasts.get(info.key)
            if before == shown:
                continue
            self._reported_toasts[info.key] = shown
            self.event("toast" if before is None else "toast_updated", kind=info.kind.value, style=info.style,
                       title=info.title, message=info.message, notification_id=info.notification_id,
                       count=info.count)  # fmt: skip
