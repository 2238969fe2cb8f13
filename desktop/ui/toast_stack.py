"""The toasts on screen, as the core `ToastPolicy` decides: one widget per visible toast, "+N more" below.

The stack arms one single-shot timer for the policy's next deadline; the policy's clock decides
what has expired, so tests drive time by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from PySide6.QtCore import QObject, QPoint, QRect, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.core.toasts import ToastPolicy, ToastView, reply_target
from desktop.ui.toast import WIDTH, MoreButton, Toast

MARGIN: Final = 16
SPACING: Final = 8
TIME_REFRESH_MS: Final = 30_000

WallClock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ToastStack(QObject):
    #: Open the history at this notification id (None: at the top).
    open_history = Signal(object)
    #: Reply to a message toast: carries the recipient label (a user name or "#room").
    reply_requested = Signal(str)
    #: A toast was drawn on screen for the first time: its notification id (None for a summary).
    toast_painted = Signal(object)

    def __init__(
        self,
        policy: ToastPolicy,
        *,
        wall_clock: WallClock = _utc_now,
        area: Callable[[], QRect] | None = None,
        avoid: Callable[[], QRect] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.policy = policy
        self._wall_clock = wall_clock
        self._area = area or _available_area
        #: The signed-in user (their own messages get no Reply).
        self.me = ""
        #: Where the tray icon sits on screen (an invalid rect when unknown): the stack never covers it.
        self.avoid: Callable[[], QRect] = avoid or QRect
        self.toasts: dict[int, Toast] = {}
        #: Where the stack sits: "top-right" (default), "top-left", "bottom-right" or "bottom-left".
        self.corner = "top-right"
        self.more = MoreButton()
        self.more.clicked.connect(self._open_more)
        self.more.hovered.connect(self.policy.set_paused)
        self.expiry_timer = QTimer(self)
        self.expiry_timer.setSingleShot(True)
        self.expiry_timer.timeout.connect(self.policy.expire)
        self.time_timer = QTimer(self)
        self.time_timer.setInterval(TIME_REFRESH_MS)
        self.time_timer.timeout.connect(self.refresh_times)
        self.policy.subscribe(self._render)

    # ------------------------------------------------------------------ reading (for the app and tests)

    def visible_toasts(self) -> list[Toast]:
        """The toast widgets on screen, top to bottom (newest first)."""
        return sorted((t for t in self.toasts.values() if t.isVisible()), key=lambda t: t.y())

    # ------------------------------------------------------------------ rendering

    def _render(self, view: ToastView) -> None:
        now = self._wall_clock()
        wanted = {info.key: info for info in view.visible}
        for key in [k for k in self.toasts if k not in wanted]:
            gone = self.toasts.pop(key)
            gone.hide()
            gone.deleteLater()
        for info in view.visible:
            existing = self.toasts.get(info.key)
            if existing is None:
                toast = Toast(info, now, me=self.me)
                toast.close_requested.connect(self._close_toast)
                toast.open_requested.connect(self._open_toast)
                toast.reply_requested.connect(self._reply_toast)
                toast.hovered.connect(self.policy.set_paused)
                toast.painted.connect(self._painted)
                self.toasts[info.key] = toast
            elif existing.info != info:
                existing.set_info(info, now)
        self._place(view)
        self._arm_expiry()
        if self.toasts and not self.time_timer.isActive():
            self.time_timer.start()
        elif not self.toasts:
            self.time_timer.stop()

    def set_corner(self, corner: str) -> None:
        self.corner = corner
        self._place(self.policy.view())

    def _painted(self, key: int, notification_id: int | None) -> None:
        if key in self.toasts:
            self.toast_painted.emit(notification_id)

    def _place(self, view: ToastView) -> None:
        area = self._area()
        left_side = self.corner.endswith("left")
        bottom = self.corner.startswith("bottom")
        widgets: list[QWidget] = [self.toasts[info.key] for info in view.visible if info.key in self.toasts]
        if view.more:
            self.more.set_count(view.more)
            widgets.append(self.more)
        else:
            self.more.hide()
        # Newest nearest the corner: from the top down, or from the bottom up.
        y = area.top() + MARGIN if not bottom else area.bottom() - MARGIN + 1
        tray = self.avoid()
        column = QRect(area.left() + MARGIN if left_side else area.right() - MARGIN - WIDTH + 1, area.top(),
                       WIDTH, area.height())  # fmt: skip
        if tray.isValid() and tray.intersects(column):
            # A tray icon inside the screen area (a panel that reserves no space): start past it.
            if not bottom and tray.center().y() < area.center().y():
                y = max(y, tray.bottom() + 1 + SPACING)
            elif bottom and tray.center().y() >= area.center().y():
                y = min(y, tray.top() - SPACING)
        for widget in widgets:
            widget.adjustSize()
            x = area.left() + MARGIN if left_side else area.right() - MARGIN - widget.width() + 1
            if bottom:
                y -= widget.height()
                widget.move(QPoint(x, y))
                y -= SPACING
            else:
                widget.move(QPoint(x, y))
                y += widget.height() + SPACING
            if not widget.isVisible():
                widget.show()

    def _arm_expiry(self) -> None:
        deadline = self.policy.next_deadline()
        if deadline is None:
            self.expiry_timer.stop()
            return
        delay = max(0.0, deadline - self.policy.now())
        self.expiry_timer.start(max(1, round(delay * 1000)))

    def refresh_times(self) -> None:
        now = self._wall_clock()
        for toast in self.toasts.values():
            toast.refresh_time(now)

    # ------------------------------------------------------------------ user intent

    def _close_toast(self, key: int) -> None:
        # The pointer was over the toast it closes: no leave event is promised for a hidden window.
        self.policy.set_paused(False)
        self.policy.dismiss(key)

    def _open_toast(self, key: int) -> None:
        toast = self.toasts.get(key)
        target = toast.info.notification_id if toast is not None else None
        self.policy.set_paused(False)
        self.policy.dismiss(key)
        self.open_history.emit(target)

    def _reply_toast(self, key: int) -> None:
        toast = self.toasts.get(key)
        target = reply_target(toast.info, self.me) if toast is not None else None
        self.policy.set_paused(False)
        self.policy.dismiss(key)
        if target:
            self.reply_requested.emit(target)

    def _open_more(self) -> None:
        self.policy.set_paused(False)
        self.policy.dismiss_all()
        self.open_history.emit(None)

    def close_all(self) -> None:
        """Quit: hide every window the stack owns."""
        self.policy.dismiss_all()
        self.more.hide()
        self.more.deleteLater()


def _available_area() -> QRect:
    screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)
