"""The whole tray app (offscreen, on a qasync loop) showing notifications through a real dunst: chosen by
itself where the desktop has a service with buttons, Reply in dunst's own menu opening compose addressed
to the sender, signing out taking the bubbles away, and the toasts again when the service goes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.net.notifications import DesktopNotifications
from desktop.ui.settings import Preferences
from hub.accounts import Accounts
from hub.app import STORE
from hub.server import RunningHub
from tests.conftest import Client, make_config
from tests.desktop.test_app import RecordingReporter, free_port, prefs, run_on_qasync
from tests.desktop.test_app_team import connected_client, make_app
from tests.support.dunst import dunst_session, needs_dunst

__all__ = ["prefs"]


@needs_dunst
def test_system_notifications_reply_opens_compose_to_the_sender(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub", port=free_port()))
        url = await running.start()
        accounts = Accounts(running.app[STORE])
        for name in ("alice", "bob"):
            await accounts.add_user(name, "pw-" + name, admin=False)
        bob: Client | None = None
        async with dunst_session(tmp_path / "dunst") as dunst:
            reporter = RecordingReporter()
            service = lambda _activate: DesktopNotifications.connect(dunst.address)  # noqa: E731
            app = make_app(qapp, tmp_path, prefs, reporter, notification_service=service)
            run = asyncio.ensure_future(app.run())
            try:
                # Nothing chosen in the settings: dunst shows buttons, so system notifications it is.
                await reporter.until(lambda: bool(reporter.named("notifications")))
                assert reporter.named("notifications")[-1] == {
                    "event": "notifications", "show_as": "system", "service": "dunst", "note": ""
                }  # fmt: skip
                await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
                await app.sign_in(url, "alice", "pw-alice")
                bob = await connected_client(url, accounts, "bob")
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
                await app.sign_out()
                await app.notifications.renderer.idle()  # type: ignore[union-attr]
                assert await dunst.displayed() == 0
            finally:
                await app.quit()
                await asyncio.wait_for(run, 10)
                if bob is not None:
                    await bob.close()
        await running.stop()

    run_on_qasync(qapp, scenario)
