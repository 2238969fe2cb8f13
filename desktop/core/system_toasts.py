"""lan-notify's toasts shown by the desktop's notification service, kept in step with the toast policy.

A `ToastPolicy` decides what would be on screen (bursts folded into one summary, counted in place);
`SystemToasts` shows each of its toasts as a bubble (`bubble_for`) through a `NotificationPort` and
brings the user's answers back:

- a new toast is a new bubble; a toast that changes in place (a growing burst summary) replaces its
  bubble (`replaces_id`), so the summary stays one entry in the desktop's list;
- a toast the policy drops is closed on the service (folded into a summary, or the session ended),
  except when its time was up: the service expires its bubbles itself (critical ones never), and
  a bubble that left the screen stays in the desktop's notification list;
- the service's ActionInvoked ("default": a click; "reply"; "button-N": the sender's button N) and
  NotificationClosed come back as `on_open(notification id)` (or `on_link(notification)` for one with
  a click target) / `on_reply(recipient)` / `on_button(notification, button)` and as the toast leaving
  the policy.

Calls to the service run one at a time, in order, on a task of this object's own (`start`/`stop`),
so a summary's update waits for its first bubble's id. No Qt, no D-Bus here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Protocol

from desktop.core.actions import Button, ButtonKind
from desktop.core.bubbles import BUTTON_PREFIX, OPEN, REPLY, Bubble, CloseReason, bubble_for, icon_of, own_buttons
from desktop.core.models import ReceivedNotification
from desktop.core.toasts import BURST_THRESHOLD, Clock, ToastInfo, ToastPolicy, ToastView, reply_target

log = logging.getLogger(__name__)


#: Toasts a policy for the service holds at once: the service shows and stacks them, so no "+N more".
MAX_HELD = 1000


def system_policy(*, burst_threshold: int = BURST_THRESHOLD, clock: Clock = time.monotonic) -> ToastPolicy:
    """A toast policy for the service: bursts fold as with lan-notify's toasts, but nothing waits off screen."""
    return ToastPolicy(max_visible=MAX_HELD, burst_threshold=burst_threshold, clock=clock)


class NotificationPort(Protocol):
    """What `SystemToasts` needs of a notification service (`desktop.system.notifications.DesktopNotifications`)."""

    capabilities: frozenset[str]
    on_action: Callable[[int, str], None]
    on_closed: Callable[[int, CloseReason], None]

    async def notify(self, bubble: Bubble) -> int: ...

    async def close(self, nid: int) -> None: ...


class SystemToasts:
    def __init__(
        self,
        policy: ToastPolicy,
        port: NotificationPort,
        *,
        me: Callable[[], str],
        on_open: Callable[[int | None], None],
        on_reply: Callable[[str], None],
        sound: Callable[[str], str | None] = lambda _style: "",
        icon: Callable[[ToastInfo], str] = icon_of,
        on_shown: Callable[[ToastInfo, Bubble, int], None] = lambda *_: None,
        on_failed: Callable[[Exception], None] = lambda _exc: None,
        on_link: Callable[[ReceivedNotification], None] = lambda _n: None,
        on_button: Callable[[ReceivedNotification, Button], None] = lambda _n, _b: None,
    ) -> None:
        self.policy = policy
        self.port = port
        self._me = me
        self._on_open = on_open
        self._on_reply = on_reply
        self._sound = sound
        self._icon = icon
        self._on_shown = on_shown
        self._on_failed = on_failed
        self._on_link = on_link
        self._on_button = on_button
        self._shown: dict[int, ToastInfo] = {}  # toast key -> what its bubble shows
        self._ids: dict[int, int] = {}  # toast key -> the service's id
        self._closed_by_service: set[int] = set()  # toast keys whose bubble the service closed
        self._expiring = False
        self._jobs: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self.active = False
        port.on_action = self._action
        port.on_closed = self._closed
        policy.subscribe(self._render)

    # ------------------------------------------------------------------ life

    def start(self) -> None:
        """Show what the policy holds from now on (the loop must be running)."""
        self.active = True
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def stop(self) -> None:
        self.active = False
        if self._expiry is not None:
            self._expiry.cancel()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    async def idle(self) -> None:
        """Wait until every call to the service asked for so far has been made (for tests and quitting)."""
        await self._jobs.join()

    # ------------------------------------------------------------------ the policy's view -> bubbles

    def _render(self, view: ToastView) -> None:
        if not self.active:
            return
        wanted = {info.key: info for info in view.visible}
        for key in [k for k in self._shown if k not in wanted]:
            del self._shown[key]
            if self._expiring or key in self._closed_by_service:
                self._closed_by_service.discard(key)
                self._ids.pop(key, None)  # its bubble leaves (or left) the screen on its own
            else:
                self._jobs.put_nowait(partial(self._close, key))
        for info in view.visible:
            if self._shown.get(info.key) != info:
                self._shown[info.key] = info
                self._jobs.put_nowait(partial(self._show, info))
        self._arm_expiry()

    async def _show(self, info: ToastInfo) -> None:
        if self._shown.get(info.key) != info:
            return  # changed or gone meanwhile: a newer job shows (or closes) it
        quiet = info.notification is not None and info.notification.priority.level <= 2  # min, low: no sound
        bubble = bubble_for(info, me=self._me(), capabilities=self.port.capabilities,
                            sound=None if quiet else self._sound(info.style), icon=self._icon(info))  # fmt: skip
        bubble = replace(bubble, replaces=self._ids.get(info.key, 0))
        nid = await self.port.notify(bubble)
        self._ids[info.key] = nid
        self._on_shown(info, bubble, nid)

    async def _close(self, key: int) -> None:
        nid = self._ids.pop(key, None)
        if nid is not None:
            await self.port.close(nid)

    async def _work(self) -> None:
        failed = False
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except Exception as exc:  # the service went away, or refused: say so once, keep draining
                log.warning("the desktop's notification service failed: %s", exc)
                if not failed:
                    failed = True
                    self._on_failed(exc)
            finally:
                self._jobs.task_done()

    # ------------------------------------------------------------------ the policy's clock

    def _arm_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        deadline = self.policy.next_deadline()
        if deadline is None or not self.active:
            return
        delay = max(0.0, deadline - self.policy.now())
        self._expiry = asyncio.get_running_loop().call_later(delay, self._expire)

    def _expire(self) -> None:
        self._expiry = None
        self._expiring = True
        try:
            self.policy.expire()
        finally:
            self._expiring = False
        self._arm_expiry()  # always again: a timer that fires a little early finds nothing due yet

    # ------------------------------------------------------------------ the service's signals

    def _key_of(self, nid: int) -> int | None:
        return next((key for key, shown in self._ids.items() if shown == nid), None)

    def _action(self, nid: int, action: str) -> None:
        key = self._key_of(nid)
        info = self._shown.get(key) if key is not None else None
        if key is None or info is None:
            return  # not ours (another app's bubble), or no longer held
        n = info.notification
        if action == OPEN and n is not None and n.click:
            self._on_link(n)
        elif action == OPEN:
            self._on_open(info.notification_id)
        elif action == REPLY and (target := reply_target(info, self._me())):
            self._on_reply(target)
        elif action.startswith(BUTTON_PREFIX) and n is not None and (button := self._button(info, action)):
            if button.kind is ButtonKind.REPLY:
                self._on_reply(button.target)
            else:
                self._on_button(n, button)
        else:
            return
        self.policy.dismiss(key)  # answered: its bubble goes (services differ on whether they close it)

    def _button(self, info: ToastInfo, action: str) -> Button | None:
        buttons = own_buttons(info, self._me())
        index = action.removeprefix(BUTTON_PREFIX)
        return buttons[int(index)] if index.isdigit() and int(index) < len(buttons) else None

    def _closed(self, nid: int, reason: CloseReason) -> None:
        key = self._key_of(nid)
        if key is not None and key in self._shown:
            self._closed_by_service.add(key)
            self.policy.dismiss(key)
