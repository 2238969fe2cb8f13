"""Rich notifications in the widgets, offscreen, driven as a person would: the sender's buttons on a toast
and in the history's detail pane, a click target that asks before it opens, Markdown drawn (and kept
inert), an urgent toast that stays; and the app's answer flow against a recorder of what it opened."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.app.action_flow import ActionFlow
from desktop.core.actions import Button, ButtonKind
from desktop.core.history import StoredNotification
from desktop.core.models import ReceivedNotification, ReceivedResponse
from desktop.core.preferences import Preferences
from desktop.core.toasts import ToastPolicy
from desktop.errors import HubRefusedError
from desktop.ui.history_window import HistoryWindow
from desktop.ui.settings_dialog import SettingsDialog, Situation
from desktop.ui.toast import TEXT_WIDTH, Toast, rich_height_limit
from desktop.ui.toast_stack import ToastStack
from hub.rich import Priority, ReplyAction, RespondAction, TextFormat, ViewAction
from tests.support.notes import note
from tests.support.waiting import FakeClock

NOW = datetime(2026, 12, 7, 9, 0, 20, tzinfo=UTC)
APPROVAL: dict[str, Any] = {
    "title": "Deploy 2.14 to prod?",
    "message": "Staging is green.",
    "sender": "bob",
    "actions": (
        RespondAction(label="Approve"),
        RespondAction(label="Reject"),
        ViewAction(label="Pipeline", url="https://ci.lan/pipelines/118"),
    ),
}


@pytest.fixture
def stack(qtbot: QtBot) -> Iterator[ToastStack]:
    s = ToastStack(ToastPolicy(clock=FakeClock()), wall_clock=lambda: NOW, area=lambda: QRect(0, 0, 1280, 800))
    s.me = "alice"
    yield s
    s.close_all()
    for toast in list(s.toasts.values()):
        toast.deleteLater()


def only_toast(stack: ToastStack) -> Toast:
    (toast,) = stack.visible_toasts()
    return toast


def shown_buttons(toast: Toast) -> list[QPushButton]:
    return [b for b in toast.action_buttons if b.isVisibleTo(toast)]


def test_a_toast_shows_the_senders_buttons_and_a_press_answers(qtbot: QtBot, stack: ToastStack) -> None:
    stack.policy.push(note(7, "warning", **APPROVAL))
    toast = only_toast(stack)
    assert [b.text() for b in shown_buttons(toast)] == ["Approve", "Reject", "Pipeline"]
    assert not toast.reply_button.isVisibleTo(toast)
    with qtbot.waitSignal(stack.button_pressed) as pressed:
        QTest.mouseClick(shown_buttons(toast)[0], Qt.MouseButton.LeftButton)
    n, button = pressed.args
    assert n.id == 7 and button == Button(ButtonKind.RESPOND, "Approve", "")
    assert stack.visible_toasts() == []  # answered: the toast goes


def test_a_reply_button_writes_to_the_sender_and_a_view_button_carries_its_link(
    qtbot: QtBot, stack: ToastStack
) -> None:
    actions = (ReplyAction(label="Ask bob"), ViewAction(label="Logs", url="https://ci.lan/118/log"))
    stack.policy.push(note(8, "info", sender="bob", actions=actions))
    with qtbot.waitSignal(stack.reply_requested) as reply:
        QTest.mouseClick(shown_buttons(only_toast(stack))[0], Qt.MouseButton.LeftButton)
    assert reply.args == ["bob"]
    stack.policy.push(note(9, "info", sender="bob", actions=actions))
    with qtbot.waitSignal(stack.button_pressed) as pressed:
        QTest.mouseClick(shown_buttons(only_toast(stack))[1], Qt.MouseButton.LeftButton)
    assert pressed.args[1] == Button(ButtonKind.VIEW, "Logs", "https://ci.lan/118/log")


def test_no_answer_buttons_on_what_i_sent_and_long_labels_fit(stack: ToastStack) -> None:
    stack.policy.push(note(10, "info", **{**APPROVAL, "sender": "alice"}))
    assert [b.text() for b in shown_buttons(only_toast(stack))] == ["Pipeline"]
    stack.policy.dismiss_all()
    long = tuple(RespondAction(label=f"{word} " + "x" * 32) for word in ("Approve", "Reject", "Later"))
    stack.policy.push(note(11, "info", sender="bob", actions=long))
    toast = only_toast(stack)
    buttons = shown_buttons(toast)
    assert [b.toolTip() for b in buttons] == [a.label for a in long]
    assert all(b.text().endswith("…") for b in buttons)
    assert sum(b.sizeHint().width() for b in buttons) <= TEXT_WIDTH


def test_a_click_on_a_toast_with_a_click_target_asks_for_the_link_else_opens_the_history(
    qtbot: QtBot, stack: ToastStack
) -> None:
    stack.policy.push(note(12, "info", click="https://grafana.lan/d/x"))
    with qtbot.waitSignal(stack.link_requested) as link:
        QTest.mouseClick(only_toast(stack).frame, Qt.MouseButton.LeftButton)
    assert link.args[0].click == "https://grafana.lan/d/x"
    stack.policy.push(note(13, "info"))
    with qtbot.waitSignal(stack.open_history) as opened:
        QTest.mouseClick(only_toast(stack).frame, Qt.MouseButton.LeftButton)
    assert opened.args == [13]


def test_a_markdown_toast_draws_the_marks_and_nothing_else(stack: ToastStack) -> None:
    source = "**2.14** passed *staging* <script>x</script> ![cat](http://evil.lan/cat.png)"
    stack.policy.push(note(14, "info", message=source, format=TextFormat.MARKDOWN))
    toast = only_toast(stack)
    assert not toast.message.isVisibleTo(toast) and toast.rich_message.isVisibleTo(toast)
    assert toast.rich_message.textFormat() == Qt.TextFormat.RichText
    html = toast.rich_message.text()
    assert "<strong>2.14</strong>" in html and "<em>staging</em>" in html
    assert "&lt;script&gt;" in html and "<img" not in html and "[cat]" in html
    stack.policy.dismiss_all()
    stack.policy.push(
        note(15, "info", message="\n\n".join(f"- item {i}" for i in range(40)), format=TextFormat.MARKDOWN)
    )
    tall = only_toast(stack)
    assert tall.clipped and tall.rich_message.maximumHeight() == rich_height_limit(tall.rich_message)
    assert tall.sizeHint().height() < 200  # forty items: the toast stays the size of four lines
    stack.policy.dismiss_all()
    stack.policy.push(note(16, "info", message="**not markdown**"))
    plain = only_toast(stack)
    assert plain.message.text() == "**not markdown**" and not plain.rich_message.isVisibleTo(plain)


def test_an_urgent_toast_stays_and_says_so(stack: ToastStack) -> None:
    stack.policy.push(note(17, "info", priority=Priority.URGENT))
    toast = only_toast(stack)
    assert toast.timeout_ms is None
    assert toast.meta.text().endswith("· urgent")


# --------------------------------------------------------------------------- the history's detail pane


@pytest.fixture
def window(qtbot: QtBot) -> HistoryWindow:
    w = HistoryWindow()
    qtbot.addWidget(w)
    w.detail.me = "alice"
    rich = note(21, "warning", **APPROVAL, click="https://ci.lan/pipelines/118", format=TextFormat.MARKDOWN)
    w.set_entries([StoredNotification(rich, read=False), StoredNotification(note(20, "info"), read=True)], NOW)
    w.show()
    return w


def answer(label: str, by: str) -> ReceivedResponse:
    return ReceivedResponse(31, 21, label, by, "bob", "Deploy 2.14 to prod?", None, NOW)


def test_the_detail_pane_has_the_buttons_the_link_and_the_answers(qtbot: QtBot, window: HistoryWindow) -> None:
    detail = window.detail
    assert "Staging is green." in window.rows()[0][1]  # the list shows the text without its marks
    window.select_notification(21)
    assert detail.rich_body.isVisibleTo(detail) and not detail.body.isVisibleTo(detail)
    assert "Staging is green." in detail.rich_body.toPlainText()
    visible = [b for b in detail.action_buttons if b.isVisibleTo(detail)]
    assert [b.text() for b in visible] == ["Approve", "Reject", "Pipeline…"]
    assert detail.link_button.text() == "Open ci.lan…"
    with qtbot.waitSignal(window.link_requested) as link:
        QTest.mouseClick(detail.link_button, Qt.MouseButton.LeftButton)
    assert link.args[1] == "https://ci.lan/pipelines/118"
    with qtbot.waitSignal(window.button_pressed) as pressed:
        QTest.mouseClick(visible[1], Qt.MouseButton.LeftButton)
    assert pressed.args[1] == Button(ButtonKind.RESPOND, "Reject", "")
    detail.set_answers(21, [])
    assert detail.answers.text() == "Not answered yet"
    detail.set_answers(21, [answer("Approve", "carol"), answer("Reject", "alice")])
    assert detail.answers.text().splitlines()[0].startswith("carol answered Approve (")
    assert detail.answers.text().splitlines()[1].startswith("You answered Reject (")
    assert not visible[0].isEnabled() and not visible[1].isEnabled() and visible[2].isEnabled()
    window.set_read([21], True)  # opening it marks it read, which shows it again: the answers stay
    assert detail.answers.text().startswith("carol answered Approve (") and not visible[0].isEnabled()
    window.select_notification(20)  # a plain one: none of it
    assert detail.body.isVisibleTo(detail) and not detail.link_button.isVisibleTo(detail)
    assert not any(b.isVisibleTo(detail) for b in detail.action_buttons) and not detail.answers.isVisibleTo(detail)


# --------------------------------------------------------------------------- the app's flow


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.opened: list[str] = []
        self.notices: list[tuple[str, str]] = []
        self.replies: list[str] = []
        self.spawned: list[Any] = []

    def event(self, name: str, **fields: Any) -> None:
        self.events.append((name, fields))

    def open_url(self, url: str) -> bool:
        self.opened.append(url)
        return True


@pytest.fixture
def flow(qtbot: QtBot) -> tuple[ActionFlow, Recorder]:
    rec = Recorder()
    actions = ActionFlow(session=lambda: None, report=rec, spawn=rec.spawned.append,  # type: ignore[arg-type]
                         notice=lambda t, m: rec.notices.append((t, m)), reply=rec.replies.append,
                         open_url=rec.open_url)  # fmt: skip
    return actions, rec


def asked(n: ReceivedNotification, actions: ActionFlow, url: str) -> Any:
    actions.link(n, url)
    assert actions.question is not None
    return actions.question


def test_a_link_opens_only_after_the_question_naming_its_host(qtbot: QtBot, flow: tuple[ActionFlow, Recorder]) -> None:
    actions, rec = flow
    n = note(40, "info", sender="bob")
    question = asked(n, actions, "https://grafana.lan/d/x?from=now-1h")
    assert question.text() == "Open grafana.lan?"
    assert question.informativeText() == "bob's notification links to grafana.lan:\nhttps://grafana.lan/d/x?from=now-1h"
    assert question.defaultButton() is question.cancel_button
    with qtbot.waitSignal(question.finished):
        QTest.mouseClick(question.cancel_button, Qt.MouseButton.LeftButton)
    assert rec.opened == []
    question = asked(n, actions, "https://grafana.lan/d/x?from=now-1h")
    with qtbot.waitSignal(question.finished):
        QTest.mouseClick(question.open_button, Qt.MouseButton.LeftButton)
    assert rec.opened == ["https://grafana.lan/d/x?from=now-1h"]
    assert [name for name, _ in rec.events] == ["link_asked", "link_declined", "link_asked", "link_opened"]


def test_a_look_alike_host_is_spelled_out_and_a_bad_link_never_asks(flow: tuple[ActionFlow, Recorder]) -> None:
    actions, rec = flow
    question = asked(note(41, "info"), actions, "https://p\u0430ypal.com/login")  # a Cyrillic a
    assert question.text() == "Open p\u0430ypal.com (xn--pypal-4ve.com)?"
    question.close()
    actions.link(note(42, "info"), "javascript:alert(1)")
    assert rec.notices == [("This link was not opened", "Only web (http, https) and mail (mailto) links open.")]
    assert rec.opened == [] and ("link_refused", {"notification_id": 42, "url": "javascript:alert(1)"}) in rec.events


class RefusingSession:
    username = "alice"

    async def respond(self, notification_id: int, label: str) -> ReceivedResponse:
        raise HubRefusedError("conflict", "you already answered this notification (Approve)")


async def test_a_second_answer_is_said_in_words(qtbot: QtBot) -> None:
    rec = Recorder()
    actions = ActionFlow(session=lambda: RefusingSession(), report=rec, spawn=rec.spawned.append,  # type: ignore[arg-type,return-value]
                         notice=lambda t, m: rec.notices.append((t, m)), reply=rec.replies.append,
                         open_url=rec.open_url)  # fmt: skip
    actions.button(note(50, "info", **APPROVAL), Button(ButtonKind.RESPOND, "Reject", ""))
    (pending,) = rec.spawned
    await pending
    assert rec.notices == [("Your answer was not sent", "You already answered this notification (Approve).")]
    assert rec.events[-1][0] == "respond_failed" and rec.events[-1][1]["code"] == "conflict"


def test_settings_sets_the_priority_floor(qtbot: QtBot, tmp_path: Path) -> None:
    prefs = Preferences(QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat))
    assert prefs.min_priority == "low"
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.load(prefs, Situation(), autostart=False, show_as="toasts")
    dialog.show()
    dialog.show_tab("notifications")
    combo = dialog.min_priority
    assert combo.currentText() == "Low and above (all but min)"
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "High and above"
    with qtbot.waitSignal(dialog.saved) as saved:
        QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    prefs.save(saved.args[0])
    assert prefs.min_priority == "high"
