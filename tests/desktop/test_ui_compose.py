"""The compose dialog and the app menu, offscreen with pytest-qt: recipients per role, Enter/Esc,
the counter, errors in place with the text kept; menu entries follow the state they are given."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.core.compose import ComposeDraft, Limits, TargetKind, recipients_for, types_for
from desktop.core.later import When
from desktop.ui.compose import ComposeDialog
from desktop.ui.menu import AppMenu, MenuState
from hub.rich import Priority


@pytest.fixture
def dialog(qtbot: QtBot) -> ComposeDialog:
    d = ComposeDialog()
    qtbot.addWidget(d)
    return d


def offer(d: ComposeDialog, *, admin: bool) -> None:
    d.set_recipients(recipients_for(me="alice", users=["alice", "bob", "carol"], online=["carol"],
                                    my_rooms=["ops"], admin=admin))  # fmt: skip
    d.set_types(types_for(admin))


def items(d: ComposeDialog) -> list[str]:
    return [d.recipient.itemText(i) for i in range(d.recipient.count())]


def types(d: ComposeDialog) -> list[str]:
    return [d.type.itemText(i) for i in range(d.type.count())]


def test_recipients_and_types_per_role(dialog: ComposeDialog) -> None:
    offer(dialog, admin=False)
    assert items(dialog) == ["carol", "bob", "alice", "#ops"]
    assert "system" not in types(dialog)
    assert dialog.type.currentText() == "message"
    offer(dialog, admin=True)
    assert items(dialog) == ["carol", "bob", "alice", "#ops", "Everyone"]
    assert types(dialog)[-1] == "system"
    assert dialog.recipient.itemData(0, Qt.ItemDataRole.ToolTipRole) == "online now"


def test_enter_sends_shift_enter_is_a_new_line(qtbot: QtBot, dialog: ComposeDialog) -> None:
    offer(dialog, admin=False)
    dialog.start("bob")
    QTest.keyClicks(dialog.text, "hello")
    QTest.keyClick(dialog.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(dialog.text, "<b>world</b>")
    with qtbot.waitSignal(dialog.send_requested) as sent:
        QTest.keyClick(dialog.text, Qt.Key.Key_Return)
    draft = sent.args[0]
    assert isinstance(draft, ComposeDraft)
    assert draft.to.kind is TargetKind.USER and draft.to.name == "bob"
    assert draft.message == "hello\n<b>world</b>"
    assert not dialog.send_button.isEnabled()  # busy until the hub answers


def test_the_hubs_refusal_shows_in_place_and_keeps_the_text(qtbot: QtBot, dialog: ComposeDialog) -> None:
    offer(dialog, admin=False)
    dialog.start("#ops")
    dialog.title.setText("deploy")
    dialog.text.setPlainText("going out now")
    with qtbot.waitSignal(dialog.send_requested):
        QTest.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    dialog.show_result("Sending too fast: try again in 12 s.", ok=False)
    assert dialog.answer.text() == "Sending too fast: try again in 12 s."
    assert dialog.answer.textFormat() == Qt.TextFormat.PlainText
    assert dialog.text.toPlainText() == "going out now" and dialog.title.text() == "deploy"
    assert dialog.send_button.isEnabled()
    dialog.show_sent("Sent to #ops (3 recipients).")
    assert dialog.text.toPlainText() == "" and dialog.recipient.currentText() == "#ops"


def test_problems_are_caught_before_sending(qtbot: QtBot, dialog: ComposeDialog) -> None:
    offer(dialog, admin=False)
    dialog.start("")
    dialog.text.setPlainText("hi")
    with qtbot.assertNotEmitted(dialog.send_requested):
        dialog.submit()
    assert dialog.answer.text().startswith("Choose who gets it")
    dialog.recipient.setEditText("Everyone")  # typed by a non-admin
    dialog.submit()
    assert dialog.answer.text().startswith("Choose who gets it")


def test_length_counter_against_the_hubs_limit(dialog: ComposeDialog) -> None:
    dialog.set_limits(Limits(message_bytes=10, title_chars=5))
    dialog.text.setPlainText("héllo")
    assert dialog.counter.text() == "6 / 10 bytes" and dialog.counter.property("over") is False
    dialog.text.setPlainText("héllo wörld")
    assert dialog.counter.text() == "13 / 10 bytes" and dialog.counter.property("over") is True
    assert dialog.title.maxLength() == 5


def test_escape_cancels(qtbot: QtBot, dialog: ComposeDialog) -> None:
    dialog.start("bob")
    with qtbot.waitSignal(dialog.rejected):
        QTest.keyClick(dialog.text, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_menu_follows_its_state(qtbot: QtBot) -> None:
    menu = AppMenu()
    qtbot.addWidget(menu)
    assert not menu.send_action.isEnabled()
    assert menu.texts()[-2:] == ["Sign in…", "Quit"]  # signed out: the way back in
    menu.set_state(MenuState(signed_in=True, my_rooms=("ops",), open_rooms=("dev", "r&d"), online=("bob",),
                             users=("bob", "carol"), watched=frozenset({"carol"}), dnd_text="on", dnd_active=True,
                             hosting="http://10.0.0.5:8765", admin=True))  # fmt: skip
    assert menu.texts(menu.rooms_menu) == ["Leave #ops", "Join #dev", "Join #r&d", "Join room…"]
    assert menu.texts(menu.online_menu) == ["Message bob…", "Tell me when online"]
    assert "Hosting the hub at http://10.0.0.5:8765" in menu.texts()
    assert "Do not disturb: on" in menu.texts()
    assert menu.texts()[-2:] == ["Sign out", "Quit"]
    watch = menu.find_action(menu.online_menu, "watch:carol")
    assert watch is not None and watch.isChecked()
    with qtbot.waitSignal(menu.compose_requested) as composed:
        action = menu.find_action(menu.online_menu, "compose:bob")
        assert action is not None
        action.trigger()
    assert composed.args == ["bob"]
    with qtbot.waitSignal(menu.leave_requested) as left:
        leave = menu.find_action(menu.rooms_menu, "leave:ops")
        assert leave is not None
        leave.trigger()
    assert left.args == ["ops"]
    with qtbot.waitSignal(menu.dnd_requested) as dnd:
        menu.dnd_actions["off"].trigger()
    assert dnd.args == ["off"]
    with qtbot.waitSignal(menu.watch_toggled) as watched:
        watch.trigger()
    assert watched.args == ["carol", False]


def test_a_reply_is_a_message_with_no_title_whatever_was_used_last(dialog: ComposeDialog) -> None:
    offer(dialog, admin=True)
    dialog.start("#ops")
    dialog.type.setCurrentText("warning")
    dialog.title.setText("Disk full")
    dialog.reject()
    dialog.start("bob", reply=True)
    dialog.text.setPlainText("on it")
    draft = dialog.draft()
    assert isinstance(draft, ComposeDraft)
    assert (draft.to.name, draft.type.value, draft.title) == ("bob", "message", "")
    dialog.reject()
    dialog.start("carol")  # the menu's "Send message…" keeps what was chosen
    assert dialog.type.currentText() == "message"


def test_priority_link_and_answers_go_with_the_draft_and_are_cleared_once_sent(
    qtbot: QtBot, dialog: ComposeDialog
) -> None:
    offer(dialog, admin=False)
    dialog.start("bob")
    QTest.keyClicks(dialog.text, "Deploy 2.14?")
    dialog.priority.setCurrentText("urgent")
    QTest.keyClicks(dialog.click, "https://ci.lan/118")
    QTest.keyClicks(dialog.answers, "Approve, Reject")
    QTest.mouseClick(dialog.markdown, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.send_requested) as sent:
        QTest.keyClick(dialog.text, Qt.Key.Key_Return)

    draft = sent.args[0]
    assert (draft.priority, draft.click, draft.answers, draft.markdown) == (
        Priority.URGENT,
        "https://ci.lan/118",
        ("Approve", "Reject"),
        True,
    )
    dialog.show_sent("Sent to bob.")
    assert (dialog.click.text(), dialog.answers.text()) == ("", "")


def test_a_link_that_cannot_be_used_is_caught_before_sending(qtbot: QtBot, dialog: ComposeDialog) -> None:
    offer(dialog, admin=False)
    dialog.start("bob")
    dialog.text.setPlainText("hi")
    dialog.click.setText("javascript:alert(1)")
    with qtbot.assertNotEmitted(dialog.send_requested):
        dialog.submit()
    assert dialog.answer.text().startswith("The link cannot be used: ")


def test_send_later_adds_the_moment_and_a_time_of_day_is_asked_for_only_when_chosen(
    qtbot: QtBot, dialog: ComposeDialog
) -> None:
    offer(dialog, admin=False)
    dialog.start("bob")
    dialog.show()
    QTest.keyClicks(dialog.text, "stand-up in 5")
    assert [dialog.when.itemText(i) for i in range(dialog.when.count())] == [w.value for w in When]
    assert not dialog.at.isVisible()

    dialog.when.setCurrentText(When.AT.value)
    assert dialog.at.isVisible()
    dialog.when.setCurrentText(When.IN_1_HOUR.value)
    with qtbot.waitSignal(dialog.send_requested) as sent:
        QTest.keyClick(dialog.text, Qt.Key.Key_Return)
    dialog.show_sent("Scheduled for bob: delivered at 17:20.")

    ahead = datetime.fromisoformat(sent.args[0].deliver_at) - datetime.now().astimezone()
    assert timedelta(minutes=59) < ahead <= timedelta(hours=1)
    assert dialog.when.currentText() == When.NOW.value  # the next one goes now again
    assert not dialog.at.isVisible()
