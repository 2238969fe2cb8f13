"""System notifications, without Qt: the toast policy's toasts shown by a real dunst over a real D-Bus session
bus (`SystemToasts` + `DesktopNotifications`), and the user's answers (a click, Reply, closing) coming back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.core.actions import Button, ButtonKind
from desktop.core.bubbles import Bubble, Urgency, bubble_for
from desktop.core.models import ReceivedNotification
from desktop.core.presentation import Presentation, ShowAs, choose
from desktop.core.system_toasts import SystemToasts, system_policy
from desktop.core.toasts import ToastPolicy
from desktop.system.notifications import DesktopNotifications, notify_arguments
from hub.protocol import Kind
from hub.rich import Priority, RespondAction, TextFormat, ViewAction
from tests.support.dunst import Dunst, dunst_session, needs_dunst
from tests.support.notes import note
from tests.support.waiting import WAIT, FakeClock

TYPES = ["info", "success", "warning", "error", "message", "system"]


@dataclass
class Answers:
    opened: asyncio.Queue[int | None] = field(default_factory=asyncio.Queue)
    replies: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    shown: list[tuple[str, Bubble, int]] = field(default_factory=list)
    links: asyncio.Queue[ReceivedNotification] = field(default_factory=asyncio.Queue)
    buttons: asyncio.Queue[tuple[ReceivedNotification, Button]] = field(default_factory=asyncio.Queue)


@dataclass
class Shown:
    dunst: Dunst
    policy: ToastPolicy
    toasts: SystemToasts
    answers: Answers


@pytest.fixture
async def dunst(tmp_path: Path) -> AsyncIterator[Dunst]:
    async with dunst_session(tmp_path / "dunst") as running:
        yield running


async def shown_by(dunst: Dunst, policy: ToastPolicy) -> tuple[SystemToasts, Answers, DesktopNotifications]:
    service = await DesktopNotifications.connect(bus=dunst.address)
    assert service is not None and service.server.name == "dunst"
    answers = Answers()
    toasts = SystemToasts(
        policy, service, me=lambda: "me", on_open=answers.opened.put_nowait, on_reply=answers.replies.put_nowait,
        on_shown=lambda info, bubble, nid: answers.shown.append((info.title, bubble, nid)),
        on_link=answers.links.put_nowait, on_button=lambda n, b: answers.buttons.put_nowait((n, b)),
    )  # fmt: skip
    toasts.start()
    return toasts, answers, service


@needs_dunst
async def test_each_type_arrives_with_its_urgency_and_text(dunst: Dunst) -> None:
    policy = system_policy(burst_threshold=100)
    toasts, _, service = await shown_by(dunst, policy)
    try:
        for nid, ntype in enumerate(TYPES, start=1):
            policy.push(note(nid, ntype, title=f"A {ntype}", message=f"<b>{ntype}</b> & more", sender="alice"))
        await toasts.idle()
        entries = {e.summary: e for e in await dunst.history()}
    finally:
        await toasts.stop()
        await service.stop()

    assert set(entries) == {f"A {t}" for t in TYPES}
    for ntype in TYPES:
        entry = entries[f"A {ntype}"]
        critical = ntype in {"error", "system"}
        assert entry.urgency == ("critical" if critical else "normal"), ntype
        assert entry.timeout_ms == (0 if critical else {"warning": 10_000}.get(ntype, 5_000)), ntype  # 0: stays
        # dunst reads markup in bodies: the text went as plain text, escaped, and shows as typed.
        assert entry.body == f"&lt;b&gt;{ntype}&lt;/b&gt; &amp; more\n— alice", ntype
        assert entry.appname == "lan-notify"
        assert entry.icon_path.endswith(f"{ntype}.svg")
    assert entries["A message"].category == "im.received"
    assert entries["A error"].category == "x-lan-notify.error"


@needs_dunst
async def test_a_burst_stays_one_entry_that_counts_in_place(dunst: Dunst) -> None:
    clock = FakeClock()
    policy = system_policy(clock=clock)  # everything arrives within the same second: a burst past 5
    toasts, answers, service = await shown_by(dunst, policy)
    try:
        for nid in range(1, 7):  # the sixth within a second is a burst: one summary instead
            policy.push(note(nid, "info"))
        await toasts.idle()
        for nid in range(7, 13):  # more of the burst, each shown before the next arrives
            policy.push(note(nid, "error" if nid == 7 else "info"))
            await toasts.idle()
        on_screen = await dunst.displayed()
        history = await dunst.history()
    finally:
        await toasts.stop()
        await service.stop()

    assert on_screen == 1  # the first five were folded into the summary and closed
    summaries = [e for e in history if e.summary.endswith("new notifications")]
    assert [(e.summary, e.body, e.urgency) for e in summaries] == [
        ("12 new notifications", "11 info, 1 error", "critical")
    ]
    summary_ids = {nid for title, _, nid in answers.shown if title.endswith("new notifications")}
    assert summary_ids == {summaries[0].id}  # every update replaced the one bubble
    assert [b.replaces for title, b, _ in answers.shown if title.endswith("new notifications")][1:] == [
        summaries[0].id
    ] * 6


@needs_dunst
async def test_a_click_opens_reply_answers_and_closing_lets_go(dunst: Dunst) -> None:
    policy = system_policy(burst_threshold=100)
    toasts, answers, service = await shown_by(dunst, policy)
    try:
        policy.push(note(41, "info", title="Deployed"))
        await toasts.idle()
        await dunst.click()  # the newest bubble: a click invokes "default", which opens it in the history
        assert await asyncio.wait_for(answers.opened.get(), WAIT) == 41

        policy.push(note(42, "message", title="Lunch?", sender="bob"))
        await toasts.idle()
        await dunst.choose("Reply")
        assert await asyncio.wait_for(answers.replies.get(), WAIT) == "bob"
        assert any("Reply (Lunch?)" in line for line in dunst.menu())

        policy.push(note(43, "message", title="In the room", sender="carol", room="ops", kind=Kind.ROOM))
        await toasts.idle()
        await dunst.choose("Reply")
        assert await asyncio.wait_for(answers.replies.get(), WAIT) == "#ops"

        policy.push(note(44, "error", title="Disk full"))
        await toasts.idle()
        assert [i.notification_id for i in policy.view().visible] == [44]
        await dunst.ctl("close")  # the user closes it in dunst: the policy lets it go too
        await asyncio.wait_for(_until_empty(policy), WAIT)
    finally:
        await toasts.stop()
        await service.stop()


APPROVAL = (RespondAction(label="Approve"), RespondAction(label="Reject"), ViewAction(label="CI", url="https://c.lan"))


@needs_dunst
async def test_the_senders_buttons_and_click_target_come_back_from_dunst(dunst: Dunst) -> None:
    policy = system_policy(burst_threshold=100)
    toasts, answers, service = await shown_by(dunst, policy)
    try:
        policy.push(note(51, "warning", title="Deploy 2.14 to prod?", sender="bob", actions=APPROVAL))
        await toasts.idle()
        await dunst.choose("Approve")  # dunst itself sends ActionInvoked for the entry picked in its menu
        n, button = await asyncio.wait_for(answers.buttons.get(), WAIT)
        assert (n.id, button) == (51, Button(ButtonKind.RESPOND, "Approve", ""))
        assert any("Reject (Deploy 2.14 to prod?)" in line for line in dunst.menu())

        policy.push(note(52, "info", title="Dashboards", click="https://grafana.lan/d/x", priority=Priority.URGENT))
        await toasts.idle()
        await dunst.click()  # a click on one with a click target: the app asks before the link opens
        assert (await asyncio.wait_for(answers.links.get(), WAIT)).id == 52
        entries = {e.summary: e for e in await dunst.history()}
        assert entries["Dashboards"].urgency == "critical"
    finally:
        await toasts.stop()
        await service.stop()


def test_priority_sets_the_urgency_and_markdown_shows_as_its_text() -> None:
    policy = ToastPolicy(burst_threshold=100)
    policy.push(note(1, "info", priority=Priority.URGENT, actions=APPROVAL, sender="bob"))
    policy.push(
        note(2, "info", priority=Priority.LOW, message="**2.14** is [out](https://r.lan)", format=TextFormat.MARKDOWN)
    )
    policy.push(note(3, "error", priority=Priority.LOW))
    urgent, low, error = (bubble_for(i, me="me", capabilities={"body"}) for i in reversed(policy.view().visible))
    assert (urgent.urgency, urgent.expire_ms) == (Urgency.CRITICAL, 0)
    assert urgent.actions == (("default", "Open"), ("button-0", "Approve"), ("button-1", "Reject"), ("button-2", "CI"))
    assert low.urgency is Urgency.LOW and low.body == "2.14 is out\n— alice"
    assert error.urgency is Urgency.CRITICAL  # an error stays critical whatever its priority


async def _until_empty(policy: ToastPolicy) -> None:
    emptied = asyncio.Event()
    policy.subscribe(lambda view: emptied.set() if not view.visible else None)
    if policy.view().visible:
        await emptied.wait()


def test_a_service_without_buttons_gets_no_actions_and_is_not_chosen_by_itself() -> None:
    bubble = Bubble("Lunch?", actions=(("default", "Open"), ("reply", "Reply")), urgency=Urgency.CRITICAL)

    with_actions = notify_arguments(bubble, frozenset({"actions", "body"}))
    without = notify_arguments(bubble, frozenset({"body"}))

    assert with_actions[5] == ["default", "Open", "reply", "Reply"] and without[5] == []
    assert without[6]["urgency"] == ("y", 2) and without[6]["desktop-entry"] == ("s", "lan-notify-tray")

    def linux(pref: str, capabilities: frozenset[str] | None) -> Presentation:
        return choose(pref, platform="linux", capabilities=capabilities, tray=True)

    assert linux("", frozenset({"actions", "body"})).show_as is ShowAs.SYSTEM
    assert linux("", frozenset({"body"})).show_as is ShowAs.TOASTS
    assert linux("", None).show_as is ShowAs.TOASTS
    no_buttons = linux("system", frozenset({"body"}))
    assert no_buttons.show_as is ShowAs.SYSTEM and "no buttons" in no_buttons.note
    nobody = linux("system", None)
    assert nobody.show_as is ShowAs.TOASTS and "No notification service" in nobody.note
    assert linux("toasts", frozenset({"actions"})).show_as is ShowAs.TOASTS
    for platform in ("darwin", "win32"):
        assert choose("system", capabilities=None, platform=platform, tray=True).show_as is ShowAs.TRAY
        assert choose("", capabilities=None, platform=platform, tray=True).show_as is ShowAs.TOASTS


def test_plain_text_is_escaped_only_for_services_that_read_markup() -> None:
    policy = ToastPolicy()
    policy.push(note(1, "message", title="<i>t</i>", message="a < b && c > d", sender="bob"))
    (info,) = policy.view().visible

    markup = bubble_for(info, me="me", capabilities={"body", "body-markup"})
    plain = bubble_for(info, me="me", capabilities={"body"})

    assert markup.body == "a &lt; b &amp;&amp; c &gt; d\n— bob" and plain.body == "a < b && c > d\n— bob"
    assert markup.summary == plain.summary == "<i>t</i>"  # the summary is never markup
    assert markup.actions == (("default", "Open"), ("reply", "Reply"))
    mine = bubble_for(info, me="bob", capabilities={"body"})
    assert mine.actions == (("default", "Open"),)  # nobody to answer on one's own message


@needs_dunst
async def test_a_service_the_bus_can_start_is_started_only_when_chosen(tmp_path: Path) -> None:
    async with dunst_session(tmp_path / "dunst", start=False) as idle:
        assert await DesktopNotifications.connect(idle.address) is None  # nothing runs, nothing is started
        started = await DesktopNotifications.connect(idle.address, activate=True)  # "System notifications" chosen
        assert started is not None and started.server.name == "dunst"
        await started.stop()


async def test_without_a_session_bus_there_is_no_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert await DesktopNotifications.connect() is None
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
    assert await DesktopNotifications.connect() is None
