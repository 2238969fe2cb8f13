"""macOS and Windows, for now: "System notifications" are the tray icon's own messages (no buttons); a click
on one opens the history at its notification. Driven here with the platform named, offscreen."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop.app.notify_flow import NotifyFlow
from desktop.core.preferences import Preferences
from desktop.core.presentation import ShowAs
from desktop.core.toasts import ToastPolicy
from desktop.system.sound import SoundPlayer
from desktop.ui.tray_messages import TrayMessages
from tests.support.apps import RecordingReporter
from tests.support.notes import note


async def test_on_macos_system_notifications_are_the_trays_messages(qapp: QApplication, prefs: Preferences) -> None:
    prefs.save({"notifications/show_as": "system"})
    opened: list[int | None] = []
    report = RecordingReporter()
    toasts_policy = ToastPolicy()
    flow = NotifyFlow(toasts=toasts_policy, prefs=prefs, report=report, sound=SoundPlayer(lambda _t: False),
                      me=lambda: "me", on_open=opened.append, on_reply=lambda _to: None,
                      spawn=lambda _coro: None, platform="darwin")  # fmt: skip
    icon = QSystemTrayIcon()
    flow.tray = TrayMessages(icon)
    await flow.start()
    try:
        assert flow.presentation.show_as is ShowAs.TRAY and "tray icon's messages" in flow.presentation.note
        flow.presenter.push(note(7, "error", title="Disk full", message="nas2 is full"))
        assert flow.renderer is not None
        await asyncio.wait_for(flow.renderer.idle(), 5)
        shown = report.named("system_notification")[-1]
        assert (shown["summary"], shown["urgency"], shown["actions"]) == ("Disk full", "critical", ["default"])
        assert toasts_policy.view().visible == ()  # not lan-notify's toast as well
        icon.messageClicked.emit()  # the person clicks the message
        assert opened == [7]
    finally:
        await flow.stop()
