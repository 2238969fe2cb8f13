"""The whole tray app (offscreen, on a qasync loop) showing notifications through a real dunst: chosen by
itself where the desktop has a service with buttons, Reply in dunst's own menu opening compose addressed
to the sender, signing out taking the bubbles away, and the toasts again when the service goes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.app.tray_app import TrayApp
from desktop.core.preferences import Preferences
from desktop.system.notifications import DesktopNotifications
from hub.auth import Accounts
from tests.support.apps import RecordingReporter, app_running, connected_client, hub_with, make_tray_app, run_on_qasync
from tests.support.dunst import Dunst, dunst_session, needs_dunst


@needs_dunst
def test_system_notifications_reply_opens_compose_to_the_sender(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        async with hub_with(tmp_path / "hub", alice="pw-alice", bob="pw-bob") as (url, accounts):
            async with dunst_session(tmp_path / "dunst") as dunst:
                reporter = RecordingReporter()
                service = lambda _activate: DesktopNotifications.connect(dunst.address)  # noqa: E731
                app = make_tray_app(qapp, tmp_path, prefs, reporter, notification_service=service)
                async with app_running(app):
                    await with_dunst(app, reporter, dunst, url, accounts)

    run_on_qasync(qapp, scenario)


async def with_dunst(app: TrayApp, reporter: RecordingReporter, dunst: Dunst, url: str, accounts: Accounts) -> None:
    # Nothing chosen in the settings: dunst shows buttons, so system notifications it is.
    await reporter.until(lambda: bool(reporter.named("notifications")))
    assert reporter.named("notifications")[-1] == {
        "event": "notifications", "show_as": "system", "service": "dunst", "note": ""
    }  # fmt: skip
    await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
    await app.signin.sign_in(url, "alice", "pw-alice")
    bob = await connected_client(url, accounts, "bob")
    try:
        ack = await bob.call("send_notification", {"to": "alice", "type": "message", "title": "Lunch?",
                                                   "message": "At noon <downstairs>"})  # fmt: skip
        assert ack["ok"], ack
        await reporter.until(lambda: bool(reporter.named("system_notification")))
        shown = reporter.named("system_notification")[-1]
        assert (shown["summary"], shown["urgency"]) == ("Lunch?", "normal")
        assert shown["actions"] == ["default", "reply"]
        assert shown["body"] == "At noon &lt;downstairs&gt;\n— bob"  # dunst reads markup: plain text escaped
        assert app.stack.visible_toasts() == []  # not lan-notify's own toast as well
        assert await dunst.displayed() == 1

        await dunst.choose("Reply")  # in dunst's menu for the bubble, as a person would
        await reporter.until(lambda: bool(reporter.named("compose_opened")))
        assert reporter.named("notification_action")[-1] == {
            "event": "notification_action", "action": "reply", "to": "bob"
        }  # fmt: skip
        assert app.compose.dialog.isVisible() and app.compose.dialog.recipient.currentText() == "bob"
        assert any(line.startswith("#Reply (Lunch?)") for line in dunst.menu())

        # An error stays on screen until closed; signing out takes it away.
        await bob.call("send_notification", {"to": "alice", "type": "error", "message": "Disk full"})
        await reporter.until(lambda: len(reporter.named("system_notification")) == 2)
        assert reporter.named("system_notification")[-1]["urgency"] == "critical"
        assert reporter.named("system_notification")[-1]["expire_ms"] == 0
        await app.signin.sign_out()
        assert app.notifications.renderer is not None
        await app.notifications.renderer.idle()
        assert await dunst.displayed() == 0
    finally:
        await bob.close()


@needs_dunst
def test_choosing_system_notifications_starts_a_service_the_bus_knows(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        async with dunst_session(tmp_path / "dunst", start=False) as idle:  # dunst installed, not running
            reporter = RecordingReporter()
            service = lambda activate: DesktopNotifications.connect(idle.address, activate=activate)  # noqa: E731
            app = make_tray_app(qapp, tmp_path, prefs, reporter, notification_service=service)
            async with app_running(app):
                await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
                assert reporter.named("notifications") == []  # nothing runs: toasts, and nothing started
                app.settings.open()
                dialog = app.settings.dialog
                assert dialog.show_as.currentText() == "lan-notify toasts"
                dialog.show_as.setCurrentText("System notifications")
                dialog.submit()
                # Saved: the bus is asked to start the service it knows (D-Bus activation), and it is used.
                await reporter.until(lambda: [e["show_as"] for e in reporter.named("notifications")][-1:] == ["system"])
                assert reporter.named("notifications")[-1]["service"] == "dunst"

    run_on_qasync(qapp, scenario)
