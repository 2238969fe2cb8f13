"""The whole tray app (offscreen, on a qasync loop) with rich notifications, driven as a person would: against
the stand-in hub of tests/support/fakehub.py (it speaks the documented `respond` and `response`), Approve pressed
on a toast reaches the hub once, a click on a toast with a click target asks before the link opens, the priority
floor of Settings holds toasts back, urgent passes do not disturb, and an answer to what alice sent pops up as
its own toast; against the real hub, Approve reaches the sender and an answer comes back as a toast."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app import TrayApp
from desktop.core.preferences import Preferences
from desktop.ui.toast import Toast
from tests.support.apps import RecordingReporter, connected_client, hub_with, make_tray_app, run_on_qasync
from tests.support.fakehub import FakeHub

APPROVAL: dict[str, Any] = {
    "title": "Deploy 2.14 to prod?",
    "actions": [{"action": "respond", "label": "Approve"}, {"action": "respond", "label": "Reject"}],
}


def toast_of(app: TrayApp, notification_id: int) -> Toast | None:
    return next((t for t in app.stack.visible_toasts() if t.info.notification_id == notification_id), None)


async def signed_in(app: TrayApp, reporter: RecordingReporter, url: str) -> asyncio.Future[None]:
    run = asyncio.ensure_future(app.run())
    await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
    app.dialog.set_values(url, "alice")
    app.dialog.password.setText("wonderland")
    QTest.mouseClick(app.dialog.sign_in_button, Qt.MouseButton.LeftButton)
    await reporter.until(lambda: reporter.last_state() == "connected")
    return run


def test_buttons_links_priority_and_answers_in_the_app(qapp: QApplication, tmp_path: Path, prefs: Preferences) -> None:
    reporter = RecordingReporter()
    app = make_tray_app(qapp, tmp_path, prefs, reporter)
    opened: list[str] = []

    def open_url(url: str) -> bool:
        opened.append(url)
        return True

    app.actions.open_url = open_url

    async def scenario() -> None:
        fake = FakeHub()
        await fake.start()
        run = await signed_in(app, reporter, fake.url)
        try:
            # Approve, pressed on the toast: the hub has the answer, once; the toast goes.
            deploy = await fake.send("alice", "warning", **APPROVAL)
            await reporter.until(lambda: toast_of(app, deploy["id"]) is not None)
            toast = toast_of(app, deploy["id"])
            assert toast is not None
            approve = next(b for b in toast.action_buttons if b.text() == "Approve")
            QTest.mouseClick(approve, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("responded")))
            assert fake.responds == [("alice", {"id": deploy["id"], "label": "Approve"})]
            assert toast_of(app, deploy["id"]) is None

            # A click on a toast with a click target: the question names the host; Open hands the link over.
            dash = await fake.send("alice", "info", click="https://grafana.lan/d/x")
            await reporter.until(lambda: toast_of(app, dash["id"]) is not None)
            clicked = toast_of(app, dash["id"])
            assert clicked is not None
            QTest.mouseClick(clicked.frame, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: app.actions.question is not None)
            question = app.actions.question
            assert question is not None and question.text() == "Open grafana.lan?"
            assert opened == []
            QTest.mouseClick(question.open_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("link_opened")))
            assert opened == ["https://grafana.lan/d/x"]

            # Settings: toasts from priority high up. Lower ones count in the badge only; urgent passes DND.
            prefs.save({"toasts/min_priority": "high"})
            app.apply_preferences()
            app.dnd.turn_on()
            before = len(reporter.named("toast"))
            unread = app.unread.count
            for priority in ("low", "default", "high"):
                await fake.send("alice", "info", title=f"A {priority} one", priority=priority)
            urgent = await fake.send("alice", "info", title="Replica lag", priority="urgent")
            await reporter.until(lambda: toast_of(app, urgent["id"]) is not None)
            assert [e["title"] for e in reporter.named("toast")[before:]] == ["Replica lag"]
            assert app.unread.count == unread + 4
            app.dnd.turn_off()

            # What alice sent bob earlier: his answer is a toast of its own.
            asked = fake.make("bob", "message", title="Lunch at 12:30?", **{"from": "alice", "sender": "alice"})
            fake.stored.append(asked)
            await fake.answer(asked, by="bob", label="Yes")
            await reporter.until(lambda: "bob: Yes — Lunch at 12:30?" in [e["title"] for e in reporter.named("toast")])
        finally:
            await app.quit()
            await run
            await fake.stop()

    run_on_qasync(qapp, scenario)


def test_approve_on_a_toast_reaches_the_real_hub_and_its_sender(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    """The real hub this time: bob (a python-socketio client) asks, alice presses Approve in the tray app;
    bob is told, a second press from her other device is refused, and bob's answer to her comes back as a
    toast."""
    reporter = RecordingReporter()
    app = make_tray_app(qapp, tmp_path, prefs, reporter)

    async def scenario() -> None:
        async with hub_with(tmp_path / "hub", alice="wonderland", bob="builder") as (url, accounts):
            run = await signed_in(app, reporter, url)
            try:
                bob = await connected_client(url, accounts, "bob")
                alices_phone = await connected_client(url, accounts, "alice")
                asked = await bob.call(
                    "send_notification", {"to": "alice", "type": "warning", "message": "2.14 is green", **APPROVAL}
                )
                await reporter.until(lambda: toast_of(app, asked["id"]) is not None)
                toast = toast_of(app, asked["id"])
                assert toast is not None
                approve = next(b for b in toast.action_buttons if b.text() == "Approve")
                QTest.mouseClick(approve, Qt.MouseButton.LeftButton)

                told = await bob.next("response")
                assert (told["notification_id"], told["from"], told["label"]) == (asked["id"], "alice", "Approve")
                again = await alices_phone.call("respond", {"id": asked["id"], "label": "Reject"})
                assert again["error"]["code"] == "conflict"

                lunch = await alices_phone.call(
                    "send_notification",
                    {"to": "bob", "title": "Lunch at 12:30?", "message": "?", "actions": [
                        {"action": "respond", "label": "Yes"}, {"action": "respond", "label": "No"}]},
                )  # fmt: skip
                await bob.next("notification")
                assert (await bob.call("respond", {"id": lunch["id"], "label": "Yes"}))["ok"]
                await reporter.until(
                    lambda: "bob: Yes — Lunch at 12:30?" in [e["title"] for e in reporter.named("toast")]
                )
                await bob.close()
                await alices_phone.close()
            finally:
                await app.quit()
                await run

    run_on_qasync(qapp, scenario)
