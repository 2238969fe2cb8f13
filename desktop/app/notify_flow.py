"""Wiring of where notifications are shown: lan-notify's toasts, the desktop's notification service, or
the tray icon's messages (macOS and Windows), as "Show notifications as" and this computer allow
(`desktop.core.presentation.choose`).

The toasts have their own policy (the app's, drawn by `ToastStack`); system notifications have a
second one, drawn by `SystemToasts` through the service. `presenter` points the app's notifications
and notices at the one chosen; the choice is made again when the settings change, and falls back to
the toasts (saying so) if the service stops answering. Each notification toast plays its type's sound
(a service that plays sounds plays its own), and the app's own notices go the same way (`notice`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable

from desktop.app.tasks import Spawn
from desktop.core.actions import Button
from desktop.core.bubbles import Bubble, icon_of
from desktop.core.models import ReceivedNotification
from desktop.core.preferences import Preferences
from desktop.core.presentation import Presentation, Presenter, ShowAs, choose
from desktop.core.system_toasts import NotificationPort, SystemToasts, system_policy
from desktop.core.toasts import ToastInfo, ToastPolicy
from desktop.system.report import Reporter
from desktop.system.sound import THEME_SOUNDS, SoundCues, SoundPlayer
from desktop.ui.tray_messages import TrayMessages
from hub.protocol import NotificationType

log = logging.getLogger(__name__)

#: Finds the desktop's notification service; True: the bus may start one (the user chose system notifications).
Connect = Callable[[bool], Awaitable[NotificationPort | None]]


class NotifyFlow:
    def __init__(
        self,
        *,
        toasts: ToastPolicy,
        prefs: Preferences,
        report: Reporter,
        sound: SoundPlayer,
        me: Callable[[], str],
        on_open: Callable[[int | None], None],
        on_reply: Callable[[str], None],
        spawn: Spawn,
        on_link: Callable[[ReceivedNotification], None] = lambda _n: None,
        on_button: Callable[[ReceivedNotification, Button], None] = lambda _n, _b: None,
        connect: Connect | None = None,
        platform: str = sys.platform,
    ) -> None:
        self.toasts = toasts
        self.prefs = prefs
        self.report = report
        self._me = me
        self._on_open = on_open
        self._on_reply = on_reply
        self._on_link = on_link
        self._on_button = on_button
        self._connect = connect
        self._spawn = spawn
        self._broken = False  # the service stopped answering: toasts until it is found again
        self._connecting = False
        #: The tray icon's messages (they stand in for system notifications on macOS and Windows).
        self.tray: TrayMessages | None = None
        self._platform = platform
        self.policy = system_policy(burst_threshold=prefs.burst_threshold)
        self.presenter = Presenter(toasts)
        self.presentation = Presentation(ShowAs.TOASTS)
        self.port: NotificationPort | None = None
        self.renderer: SystemToasts | None = None
        self._own_sounds = False

        def heard(ntype: str, result: str) -> None:
            report.event("sound", type=ntype, result=result)

        toasts.subscribe(SoundCues(sound, heard))  # lan-notify's toasts sound as they appear
        cues = SoundCues(sound, heard)  # system notifications: when the service does not play sounds
        self.policy.subscribe(lambda view: cues(view) if self._own_sounds else None)

    @property
    def service_name(self) -> str:
        server = getattr(self.port, "server", None)
        return str(getattr(server, "name", "")) if self.port is not None else ""

    @property
    def _uses_dbus(self) -> bool:
        return self._platform not in {"darwin", "win32"} and self._connect is not None

    async def start(self) -> None:
        """Find the desktop's notification service (Linux) or the tray (macOS, Windows), then choose."""
        if self._platform in {"darwin", "win32"}:
            self._attach(self.tray)
        elif self._connect is not None:
            self._attach(await self._connect(self.prefs.show_as == ShowAs.SYSTEM.value))
        self.apply()

    def _attach(self, port: NotificationPort | None) -> None:
        if self.renderer is not None:
            self.renderer.active = False  # a service that went away: its renderer shows nothing more
        self.port, self.renderer, self._broken = port, None, False
        if port is not None:
            self.renderer = SystemToasts(self.policy, port, me=self._me, on_open=self._opened,
                                         on_reply=self._replied, sound=self._bubble_sound, icon=icon_of,
                                         on_shown=self._shown, on_failed=self._failed, on_link=self._linked,
                                         on_button=self._pressed)  # fmt: skip

    async def _find_again(self) -> None:
        """System notifications were chosen, but no service answered (or it went away): the bus may start one."""
        assert self._connect is not None
        self._connecting = True
        try:
            port = await self._connect(True)
        finally:
            self._connecting = False
        if port is not None:
            old = self.port
            self._attach(port)
            stop = getattr(old, "stop", None)
            if stop is not None:
                await stop()
            self.apply()

    def notice(self, title: str, message: str) -> None:
        """Something the app itself has to say (the keyring failed, a room could not be joined...)."""
        self.presenter.push_notice(title, message, style="system")
        self.report.event("notice", title=title, message=message)

    def apply(self) -> None:
        """Choose again (settings changed): point the presenter at the toasts or the system notifications."""
        durations = {t: self.prefs.toast_duration(t.value) for t in NotificationType}
        self.toasts.set_auto_dismiss(durations)
        self.policy.set_auto_dismiss(durations)
        wanted = self.prefs.show_as == ShowAs.SYSTEM.value
        if wanted and self._uses_dbus and (self.port is None or self._broken) and not self._connecting:
            self._spawn(self._find_again())
        capabilities = self.port.capabilities if self.port is not None and not self._broken else None
        choice = choose(self.prefs.show_as, platform=self._platform, capabilities=capabilities,
                        tray=self.tray is not None)  # fmt: skip
        if self.renderer is None and choice.show_as is not ShowAs.TOASTS:
            choice = Presentation(ShowAs.TOASTS, choice.note)
        self._use(choice)

    def _use(self, choice: Presentation) -> None:
        system = choice.show_as is not ShowAs.TOASTS and self.renderer is not None
        if system and self.renderer is not None and not self.renderer.active:
            self.renderer.start()
        elif not system and self.renderer is not None and self.renderer.active:
            self.policy.dismiss_all()
            self.renderer.active = False
        self.presenter.target = self.policy if system else self.toasts
        # The service plays the sound when it can; otherwise (dunst, the tray) the app plays its own.
        self._own_sounds = system and (self.port is None or "sound" not in self.port.capabilities)
        if choice != self.presentation:
            self.presentation = choice
            self.report.event("notifications", show_as=choice.show_as.value, service=self.service_name,
                              note=choice.note)  # fmt: skip

    def dismiss_all(self) -> None:
        self.policy.dismiss_all()

    async def stop(self) -> None:
        if self.renderer is not None:
            self.policy.dismiss_all()
            await self.renderer.idle()
            await self.renderer.stop()
        stop = getattr(self.port, "stop", None)
        if stop is not None:
            await stop()

    # ------------------------------------------------------------------ the renderer's callbacks

    def _bubble_sound(self, style: str) -> str | None:
        """The sound a service that plays sounds is asked for: the type's, if its sound is on; else silence."""
        return THEME_SOUNDS.get(style, "message") if self.prefs.sound(style) else None

    def _opened(self, notification_id: int | None) -> None:
        self.report.event("notification_action", action="open", notification_id=notification_id)
        self._on_open(notification_id)

    def _replied(self, to: str) -> None:
        self.report.event("notification_action", action="reply", to=to)
        self._on_reply(to)

    def _linked(self, notification: ReceivedNotification) -> None:
        self.report.event("notification_action", action="link", notification_id=notification.id)
        self._on_link(notification)

    def _pressed(self, notification: ReceivedNotification, button: Button) -> None:
        self.report.event("notification_action", action=button.kind.value, notification_id=notification.id)
        self._on_button(notification, button)

    def _shown(self, info: ToastInfo, bubble: Bubble, nid: int) -> None:
        self.report.event("system_notification", id=nid, replaces=bubble.replaces, kind=info.kind.value,
                          style=info.style, summary=bubble.summary, body=bubble.body,
                          urgency=bubble.urgency.name.lower(), category=bubble.category,
                          actions=[key for key, _ in bubble.actions], expire_ms=bubble.expire_ms,
                          notification_id=info.notification_id)  # fmt: skip

    def _failed(self, error: Exception) -> None:
        log.warning("falling back to lan-notify's toasts: %s", error)
        self._broken = True
        self._use(Presentation(ShowAs.TOASTS, "The system's notification service stopped answering."))
        self.toasts.push_notice(
            "Notifications are shown here again",
            "The system's notification service stopped answering, so lan-notify shows its own toasts until it "
            "starts again.",
            style="warning",
            timeout=10.0,
        )
