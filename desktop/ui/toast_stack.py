"""The toasts on screen, as the core `ToastPolicy` decides: one widget per visible toast, "+N more" below.

The stack arms one single-shot timer for the policy's next deadline, and arms it again after every
expiry for the next one (a timer that fires early finds nothing due and tries again for the rest); the
policy's clock decides what has expired, so tests drive time by hand.

Which toast the pointer is over comes from the toasts' enter and leave events, checked against where
the pointer really is: after every change on screen, and every half second while a toast holds the
pointer. A window deleted or hidden under the pointer gets no leave event, and a
popup menu's grab can swallow one; a pause never outlives the pointer's stay over a toast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.core.actions import Button, ButtonKind
from desktop.core.timefmt import next_change
from desktop.core.toasts import MORE, ToastKind, ToastPolicy, ToastView, reply_target
from desktop.ui.toast import WIDTH, MoreButton, Toast

MARGIN: Final = 16
SPACING: Final = 8
#: While the pointer holds the toasts, how often the stack checks that it is still there (a lost leave event).
HOVER_CHECK_MS: Final = 500

WallClock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ToastStack(QObject):
    #: Open the history at this notification id (None: at the top).
    open_history = Signal(object)
    #: Reply to a message toast: carries the recipient label (a user name or "#room").
    reply_requested = Signal(str)
    #: A toast with a click target was clicked: its notification (the app asks before the link opens).
    link_requested = Signal(object)
    #: One of a notification's own buttons (view, respond) was pressed: the notification and the
    #: `desktop.core.actions.Button` (a reply button goes out as `reply_requested`).
    button_pressed = Signal(object, object)
    #: A toast was drawn on screen (first, or after new content): its notification id (a summary's newest; None
    #: for a notice) and where it is on screen, [x, y, width, height].
    toast_painted = Signal(object, list)

    def __init__(
        self,
        policy: ToastPolicy,
        *,
        wall_clock: WallClock = _utc_now,
        area: Callable[[], QRect] | None = None,
        avoid: Callable[[], QRect] | None = None,
        pointer: Callable[[], QPoint] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.policy = policy
        self._wall_clock = wall_clock
        self._area = area or _available_area
        #: Where the pointer is on screen (global coordinates).
        self.pointer: Callable[[], QPoint] = pointer or QCursor.pos
        #: The signed-in user (their own messages get no Reply).
        self.me = ""
        #: Where the tray icon sits on screen (an invalid rect when unknown): the stack never covers it.
        self.avoid: Callable[[], QRect] = avoid or QRect
        self.toasts: dict[int, Toast] = {}
        #: Where the stack sits: "top-right" (default), "top-left", "bottom-right" or "bottom-left".
        self.corner = "top-right"
        self.more = MoreButton()
        self.more.clicked.connect(self._open_more)
        self.more.hovered.connect(lambda inside: self._hover(MORE, inside))
        self.expiry_timer = QTimer(self)
        self.expiry_timer.setSingleShot(True)
        self.expiry_timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may fire up to 5 % early
        self.expiry_timer.timeout.connect(self._expire)
        self.hover_timer = QTimer(self)
        self.hover_timer.setSingleShot(True)
        self.hover_timer.setInterval(HOVER_CHECK_MS)
        self.hover_timer.timeout.connect(self.check_pointer)
        self._recheck = QTimer(self)  # after the widgets moved: once, when the loop is back
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(0)
        self._recheck.timeout.connect(self.check_pointer)
        self.time_timer = QTimer(self)  # "just now" becomes "1 min ago": armed for the next such moment, no polling
        self.time_timer.setSingleShot(True)
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
                toast.button_pressed.connect(self._button)
                toast.hovered.connect(lambda inside, key=info.key: self._hover(key, inside))
                toast.painted.connect(self._painted)
                self.toasts[info.key] = toast
            elif existing.info != info:
                existing.set_info(info, now)
        self._place(view)
        self._arm_expiry()
        if view.paused:
            self._recheck.start()  # a toast may have gone from under the pointer, or moved away from it
        elif self.hover_timer.isActive():
            self.hover_timer.stop()
        self._arm_time(now)

    def set_corner(self, corner: str) -> None:
        self.corner = corner
        self._place(self.policy.view())

    def _painted(self, key: int, notification_id: int | None) -> None:
        toast = self.toasts.get(key)
        if toast is not None:
            where = toast.frameGeometry()
            self.toast_painted.emit(notification_id, [where.x(), where.y(), where.width(), where.height()])

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

    def _expire(self) -> None:
        self.policy.expire()
        self._arm_expiry()  # also when nothing was due yet: the timer fired early

    def _arm_expiry(self) -> None:
        deadline = self.policy.next_deadline()
        if deadline is None:
            self.expiry_timer.stop()
            return
        delay = max(0.0, deadline - self.policy.now())
        self.expiry_timer.start(max(1, math.ceil(delay * 1000)))

    # ------------------------------------------------------------------ the pointer

    def _hover(self, key: int, inside: bool) -> None:
        """A toast (or the "+N more" line) saw the pointer come in or go out."""
        if inside:
            self.policy.set_hovered(key)
        elif self.policy.hovered == key:
            self.policy.set_hovered(None)
        self._follow_pointer()

    def check_pointer(self) -> None:
        """Let go of the pause when the pointer is over none of the toasts (their leave event was lost).

        Only ever lets go: where the platform cannot tell the pointer's position (Wayland), Qt reports
        the last one it saw, which may still be over a toast the pointer has left.
        """
        if self.policy.hovered is not None and not self._pointer_over_toasts():
            self.policy.set_hovered(None)
        self._follow_pointer()

    def _pointer_over_toasts(self) -> bool:
        where = self.pointer()
        widgets: list[QWidget] = [*self.toasts.values(), self.more]
        return any(w.isVisible() and w.frameGeometry().contains(where) for w in widgets)

    def _follow_pointer(self) -> None:
        if self.policy.paused and not self.hover_timer.isActive():
            self.hover_timer.start()
        elif not self.policy.paused:
            self.hover_timer.stop()

    def refresh_times(self) -> None:
        now = self._wall_clock()
        for toast in self.toasts.values():
            toast.refresh_time(now)
        self._arm_time(now)

    def _arm_time(self, now: datetime) -> None:
        """Wake when a toast's "5 min ago" next says something else (never, for toasts with no time)."""
        times = [n.timestamp for t in self.toasts.values() if (n := t.info.notification) is not None]
        waits = [w for w in (next_change(then, now) for then in times) if w is not None]
        if waits:
            self.time_timer.start(max(1000, math.ceil(min(waits) * 1000)))
        else:
            self.time_timer.stop()

    # ------------------------------------------------------------------ user intent

    def _close_toast(self, key: int) -> None:
        # The pointer was over the toast it closes: its pause goes with it (no leave event needed).
        self.policy.dismiss(key)

    def _open_toast(self, key: int) -> None:
        toast = self.toasts.get(key)
        target = toast.info.notification_id if toast is not None else None
        n = toast.info.notification if toast is not None else None
        self.policy.dismiss(key)
        if n is not None and n.click and toast is not None and toast.info.kind is ToastKind.NOTIFICATION:
            self.link_requested.emit(n)
        else:
            self.open_history.emit(target)

    def _button(self, key: int, button: Button) -> None:
        toast = self.toasts.get(key)
        n = toast.info.notification if toast is not None else None
        self.policy.dismiss(key)
        if button.kind is ButtonKind.REPLY:
            self.reply_requested.emit(button.target)
        elif n is not None:
            self.button_pressed.emit(n, button)

    def _reply_toast(self, key: int) -> None:
        toast = self.toasts.get(key)
        target = reply_target(toast.info, self.me) if toast is not None else None
        self.policy.dismiss(key)
        if target:
            self.reply_requested.emit(target)

    def _open_more(self) -> None:
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
