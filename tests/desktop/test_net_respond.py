"""Rich notifications through a signed-in session, against the stand-in hub (real Socket.IO, no Qt):
buttons arrive and are kept, a `respond` goes to the hub once, and an answer to what we sent pops its
own toast, once, also when it is replayed after a reconnect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.models import ReceivedNotification
from desktop.core.toasts import ToastKind, ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.errors import HubRefusedError
from desktop.net.http import login
from desktop.net.session import HubSession
from hub.rich import Priority, RespondAction, TextFormat, ViewAction
from tests.support.fakehub import FakeHub
from tests.support.rich import APPROVAL
from tests.support.waiting import Changes


class Opened(Changes):
    """Sessions opened by a test (closed at its end) and what their toasts and states show."""

    def __init__(self, hub: FakeHub, data_dir: Path) -> None:
        super().__init__()
        self.hub = hub
        self.data_dir = data_dir
        self.toasts = ToastPolicy()
        self.toasts.subscribe(lambda _view: self.poke())
        self.sessions: list[HubSession] = []
        self.states: list[ConnectionStatus] = []

    def on_state(self, status: ConnectionStatus) -> None:
        self.states.append(status)
        self.poke()

    async def open(self, user: str, password: str) -> HubSession:
        token = (await login(self.hub.url, user, password)).token
        session = await HubSession.open(
            hub_url=self.hub.url,
            username=user,
            token=token,
            data_dir=self.data_dir,
            toasts=self.toasts,
            unread=UnreadCounter(),
            on_state=self.on_state,
        )
        self.sessions.append(session)
        await self.until(lambda: bool(self.states) and self.states[-1].state is ConnectionState.CONNECTED)
        return session

    def titles(self) -> list[str]:
        return [t.title for t in self.toasts.view().visible]


@pytest.fixture
async def hub(fake_hub: FakeHub) -> FakeHub:
    return fake_hub


@pytest.fixture
async def opened(hub: FakeHub, tmp_path: Path) -> AsyncIterator[Opened]:
    got = Opened(hub, tmp_path)
    yield got
    for session in got.sessions:
        await session.close()


async def held(session: HubSession, opened: Opened, nid: int) -> ReceivedNotification:
    await opened.until(lambda: nid in [t.notification_id for t in opened.toasts.view().visible])
    stored = await session.history.get(nid)
    assert stored is not None
    return stored.notification


async def test_buttons_arrive_are_kept_and_respond_goes_to_the_hub_once(hub: FakeHub, opened: Opened) -> None:
    session = await opened.open("alice", "wonderland")
    note = await hub.send("alice", "warning", **APPROVAL)
    got = await held(session, opened, note["id"])
    assert got.priority is Priority.HIGH and got.format is TextFormat.MARKDOWN
    assert got.click == "https://ci.lan/pipelines/118"
    assert got.actions == (
        RespondAction(label="Approve"),
        RespondAction(label="Reject"),
        ViewAction(label="Pipeline", url="https://ci.lan/pipelines/118"),
    )
    assert got.message == "**2.14** passed staging"  # the source text, as sent

    answer = await session.respond(note["id"], "Approve")
    assert (answer.notification_id, answer.label, answer.responder, answer.to) == (
        note["id"],
        "Approve",
        "alice",
        "bob",
    )
    assert hub.responds == [("alice", {"id": note["id"], "label": "Approve"})]
    with pytest.raises(HubRefusedError) as refused:
        await session.respond(note["id"], "Reject")
    assert refused.value.code == "conflict"
    assert "you already answered this notification (Approve)" in str(refused.value)
    # The hub's `response` to this device too: kept once, and no toast (we answered it ourselves).
    await hub.until(lambda: answer.id in hub.acks or max(hub.acks, default=0) >= answer.id)
    assert [r.label for r in await session.history.responses(note["id"])] == ["Approve"]
    assert not any(t.kind is ToastKind.NOTICE for t in opened.toasts.view().visible)


async def test_an_answer_to_what_we_sent_is_its_own_toast_once_even_after_a_replay(
    hub: FakeHub, opened: Opened
) -> None:
    note = hub.make("bob", "warning", **{**APPROVAL, "from": "alice", "sender": "alice"})
    hub.stored.append(note)
    session = await opened.open("alice", "wonderland")
    response = await hub.answer(note, by="bob", label="Approve")
    await opened.until(lambda: "bob: Approve — Deploy 2.14 to prod?" in opened.titles())
    toast = next(t for t in opened.toasts.view().visible if t.kind is ToastKind.NOTICE)
    assert toast.message == "bob answered your notification: Deploy 2.14 to prod?"
    await hub.until(lambda: response["id"] in hub.acks)
    assert [r.responder for r in await session.history.responses(note["id"])] == ["bob"]

    # Signed in again on this computer: the hub replays after the last id, which the answer moved on.
    await session.close()
    opened.sessions.remove(session)
    opened.toasts.dismiss_all()
    opened.states.clear()
    again = await opened.open("alice", "wonderland")
    assert hub.auths[-1] == {"token": again.token, "last_id": response["id"], "presence": "batched"}
    await hub.deliver(response)  # and if the hub sends it again anyway, it is not news
    after = await hub.send("alice", "info", title="After")  # handled in order, after the response
    await held(again, opened, after["id"])
    assert opened.titles() == ["After"]


async def test_a_plain_notification_stays_plain_and_a_bad_button_loses_nothing(hub: FakeHub, opened: Opened) -> None:
    session = await opened.open("alice", "wonderland")
    plain = await hub.send("alice", "info")
    odd = await hub.send(
        "alice",
        "info",
        priority="someday",
        click="javascript:alert(1)",
        actions=[{"action": "http", "label": "Call", "url": "https://x.lan"}, {"action": "respond", "label": "OK"}],
    )
    first = await held(session, opened, plain["id"])
    assert (first.priority, first.click, first.actions, first.format) == (Priority.DEFAULT, None, (), TextFormat.PLAIN)
    second = await held(session, opened, odd["id"])
    assert (second.priority, second.click, second.actions) == (Priority.DEFAULT, None, (RespondAction(label="OK"),))
    assert second.message == odd["message"]
