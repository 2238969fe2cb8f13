"""Compose logic without Qt: recipients per role, the request per recipient, the hub's answers in words."""

from __future__ import annotations

from dataclasses import replace

from desktop.core.compose import (
    ComposeDraft,
    Limits,
    Recipient,
    TargetKind,
    counter_text,
    describe_refusal,
    parse_answers,
    parse_recipient,
    problem_with,
    recipients_for,
    remember_recent,
    request_for,
    types_for,
)
from hub.protocol import NotificationType
from hub.rich import Priority

USERS = ["alice", "bob", "carol", "dave"]


def labels(admin: bool, recent: list[str] | None = None) -> list[str]:
    offered = recipients_for(
        me="alice", users=USERS, online=["dave", "alice"], my_rooms=["ops"], admin=admin, recent=recent or []
    )
    return [r.label for r in offered]


def test_online_first_then_others_then_my_rooms_and_everyone_only_for_admins() -> None:
    assert labels(admin=False) == ["dave", "bob", "carol", "alice", "#ops"]
    assert labels(admin=True) == ["dave", "bob", "carol", "alice", "#ops", "Everyone"]


def test_recent_recipients_come_first_if_still_offered() -> None:
    assert labels(admin=False, recent=["#ops", "carol", "Everyone", "gone"]) == [
        "#ops", "carol", "dave", "bob", "alice",
    ]  # fmt: skip
    assert remember_recent(["a", "b", "c"], "c") == ["c", "a", "b"]
    assert remember_recent([str(i) for i in range(8)], "new", limit=8)[-1] == "6"


def test_system_type_only_for_admins() -> None:
    assert NotificationType.SYSTEM not in types_for(False)
    assert types_for(True) == list(NotificationType)


def test_typed_recipients() -> None:
    offered = recipients_for(me="a", users=["bob"], online=[], my_rooms=["ops"], admin=False)
    assert parse_recipient("BOB", offered) == Recipient(TargetKind.USER, "bob")
    assert parse_recipient("#ops", offered) == Recipient(TargetKind.ROOM, "ops")
    assert parse_recipient("#dev", offered) == Recipient(TargetKind.ROOM, "dev")  # the hub decides
    assert parse_recipient("Everyone", offered) is None  # not offered to a non-admin
    assert parse_recipient("  ", offered) is None
    assert parse_recipient("zed", offered) == Recipient(TargetKind.USER, "zed")


def test_request_per_recipient_kind() -> None:
    def req(kind: TargetKind, name: str, ntype: NotificationType = NotificationType.INFO, title: str = "") -> object:
        return request_for(ComposeDraft(Recipient(kind, name), ntype, title, "hi"))

    assert req(TargetKind.USER, "bob", title="T") == (
        "send_notification", {"to": "bob", "message": "hi", "type": "info", "title": "T"}
    )  # fmt: skip
    assert req(TargetKind.ROOM, "ops") == ("room_message", {"room": "ops", "message": "hi", "type": "info"})
    assert req(TargetKind.EVERYONE, "") == ("broadcast", {"message": "hi", "type": "info"})
    assert req(TargetKind.EVERYONE, "", NotificationType.SYSTEM) == ("announce", {"message": "hi"})


def test_counter_and_limits_count_utf8_bytes() -> None:
    limits = Limits.from_welcome({"message_bytes": 10, "title_chars": 5})
    assert counter_text("héllo", limits) == ("6 / 10 bytes", False)
    assert counter_text("ééééééé", limits) == ("14 / 10 bytes", True)
    draft = ComposeDraft(Recipient(TargetKind.USER, "bob"), NotificationType.INFO, "", "ééééééé")
    assert problem_with(draft, limits) == "The message is too long: at most 10 bytes."
    assert problem_with(ComposeDraft(draft.to, draft.type, "", "  "), limits) == "Write a message first."
    assert problem_with(ComposeDraft(draft.to, draft.type, "toolong", "ok"), limits).startswith("The title is too long")
    assert problem_with(ComposeDraft(draft.to, draft.type, "", "ok"), limits) == ""
    assert Limits.from_welcome({"message_bytes": "x"}) == Limits()


def test_refusals_in_words() -> None:
    bob = ComposeDraft(Recipient(TargetKind.USER, "bob"), NotificationType.INFO, "", "hi")
    room = ComposeDraft(Recipient(TargetKind.ROOM, "dev"), NotificationType.INFO, "", "hi")
    assert describe_refusal("rate_limited", "too many", 12) == "Sending too fast: try again in 12 s."
    assert (
        describe_refusal("not_found", "no user", None, bob) == "Unknown user: there is no one named 'bob' on this hub."
    )
    assert describe_refusal("not_found", "x", None, room).startswith("Unknown room")
    assert describe_refusal("forbidden", "only admins may send to everyone", None) == (
        "Not allowed: only admins may send to everyone."
    )


def test_a_draft_with_priority_link_answers_and_markdown() -> None:
    bob = Recipient(TargetKind.USER, "bob")
    asked = ComposeDraft(
        bob,
        NotificationType.WARNING,
        "Deploy?",
        "**2.14**",
        priority=Priority.HIGH,
        click="https://ci.lan/118",
        answers=parse_answers(" Approve, Reject ,, "),
        markdown=True,
    )

    assert request_for(asked) == (
        "send_notification",
        {
            "to": "bob",
            "message": "**2.14**",
            "type": "warning",
            "title": "Deploy?",
            "priority": "high",
            "click": "https://ci.lan/118",
            "actions": [{"action": "respond", "label": "Approve"}, {"action": "respond", "label": "Reject"}],
            "format": "markdown",
        },
    )
    assert problem_with(asked, Limits()) == ""
    assert problem_with(replace(asked, click="javascript:alert(1)"), Limits()).startswith("The link cannot be used: ")
    assert problem_with(replace(asked, answers=("A", "B", "C", "D")), Limits()) == "At most 3 answers."
    assert problem_with(replace(asked, answers=("Yes", "yes")), Limits()) == "Two answers are the same."
    assert problem_with(replace(asked, answers=("x" * 41,)), Limits()).startswith("An answer is too long")
