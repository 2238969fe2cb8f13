"""desktop.net + desktop.core against the real hub on a free port (no Qt): what the app would show."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.core.connection import Backoff, ConnectionState, ConnectionStatus
from desktop.core.history import AsyncHistory, GapMarker, StoredNotification
from desktop.core.inbox import GAP_TITLE, Inbox
from desktop.core.toasts import ToastKind, ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.errors import LoginRefusedError
from desktop.net.client import HubClient
from desktop.net.http import login, logout
from hub.server import RunningHub
from tests.support.clients import Client
from tests.support.hubs import Hub, make_config
from tests.support.ports import port_of
from tests.support.waiting import WAIT, Changes, FakeClock

TYPES = ["info", "success", "warning", "error", "message", "system"]


class App(Changes):
    """The Qt-free half of the tray app: an inbox fed by a HubClient, with waits on what it shows."""

    def __init__(self, inbox: Inbox[ToastPolicy]) -> None:
        super().__init__()
        self.inbox = inbox
        self.states: list[ConnectionStatus] = []
        self.client: HubClient | None = None
        inbox.subscribe(lambda *_: self.poke())

    def on_state(self, status: ConnectionStatus) -> None:
        self.states.append(status)
        self.poke()

    async def connect(self, url: str, token: str, backoff: Backoff | None = None) -> HubClient:
        last_id = await self.inbox.load()
        self.client = HubClient(
            url,
            token,
            last_id=last_id or 0,
            on_notification=self.inbox.receive,
            on_gap=self.inbox.gap,
            on_state=self.on_state,
            backoff=backoff or Backoff(initial=0.05, maximum=0.2),
        )
        self.client.start()
        await self.until(lambda: self.state is ConnectionState.CONNECTED)
        return self.client

    @property
    def state(self) -> ConnectionState | None:
        return self.states[-1].state if self.states else None

    async def history_ids(self) -> list[int]:
        entries = await self.inbox.history.entries()
        return [e.notification.id for e in entries if isinstance(e, StoredNotification)]


@pytest.fixture
async def make_app(tmp_path: Path) -> AsyncIterator[Callable[[], Any]]:
    made: list[tuple[App, AsyncHistory]] = []
    path = tmp_path / "desktop" / "history.sqlite3"  # the same file each time: a restarted app

    async def make() -> App:
        history = await AsyncHistory.open(path)
        app = App(Inbox(history, UnreadCounter(), ToastPolicy(clock=FakeClock())))
        made.append((app, history))
        return app

    yield make
    for app, history in made:
        if app.client is not None:
            await app.client.stop()
        await history.close()


async def send(sender: Any, to: str, ntype: str, message: str) -> int:
    ack = await sender.call("send_notification", {"to": to, "type": ntype, "title": ntype.upper(), "message": message})
    assert ack["ok"], ack
    return int(ack["id"])


async def test_sign_in_receive_every_type_once_and_ack(hub: Hub, make_app: Any) -> None:
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob", admin=True))  # only admins may send `system`
    signed_in = await login(hub.url, "alice", "wonderland", device="test laptop")
    assert signed_in.username == "alice"

    app: App = await make_app()
    await app.connect(hub.url, signed_in.token)
    ids = [await send(bob, "alice", t, f"<b>{t}</b>") for t in TYPES]
    await app.until(lambda: app.inbox.unread.count == len(TYPES))

    assert await app.history_ids() == sorted(ids, reverse=True)
    (summary,) = app.inbox.toasts.view().visible  # six within a second: one summary toast
    assert summary.kind is ToastKind.SUMMARY
    assert summary.types == set(TYPES)
    assert summary.count == len(TYPES)
    stored = await app.inbox.history.get(ids[0])
    assert stored is not None and stored.notification.message == "<b>info</b>"
    assert stored.notification.sender == "bob"
    assert app.client is not None and app.client.last_id == ids[-1]


async def test_restart_resumes_without_password_and_nothing_shows_twice(hub: Hub, make_app: Any) -> None:
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob"))
    token = (await login(hub.url, "alice", "wonderland")).token

    first: App = await make_app()
    await first.connect(hub.url, token)
    before = [await send(bob, "alice", "info", f"before {i}") for i in range(3)]
    await first.until(lambda: first.inbox.unread.count == 3)
    assert first.client is not None
    await first.client.stop()  # quit the app
    await first.inbox.history.close()

    queued = [await send(bob, "alice", t, "while the app was closed") for t in ("warning", "error")]

    second: App = await make_app()  # same history file, same token (from the keyring)
    await second.connect(hub.url, token)
    await second.until(lambda: second.inbox.unread.count == 5)
    assert await second.history_ids() == sorted(before + queued, reverse=True)
    # Only what this run had not seen pops up.
    assert sorted(t.notification_id or 0 for t in second.inbox.toasts.view().visible) == queued


async def test_hub_restart_reconnects_and_every_notification_shows_once(tmp_path: Path, make_app: Any) -> None:
    """Stop the hub, send while the app is away (the hub queues it), restart: everything shows once."""
    config = make_config(tmp_path / "hub")
    running = RunningHub(config)
    url = await running.start()
    config = config.with_changes(port=port_of(url))  # the restart comes back where the app knows it
    clients: list[Client] = []
    try:
        accounts = running.accounts
        await accounts.add_user("alice", "wonderland", admin=False)
        await accounts.add_user("bob", "builder", admin=False)
        token = (await login(url, "alice", "wonderland")).token
        app: App = await make_app()
        # A long backoff: after the hub goes away the app waits until told to retry (as after sleep).
        await app.connect(url, token, backoff=Backoff(initial=3600, maximum=3600, jitter=0))

        async def bob_sends(ntype: str, *, alice_online: bool) -> int:
            bob = Client(url)
            clients.append(bob)
            await bob.connect({"token": (await login(url, "bob", "builder")).token})
            assert ("alice" in (await bob.next("welcome"))["online"]) is alice_online
            return await send(bob, "alice", ntype, "hello")

        first = await bob_sends("info", alice_online=True)
        await app.until(lambda: app.inbox.unread.count == 1)

        for client in clients:
            await client.close()
        await running.stop()
        await app.until(lambda: app.state in {ConnectionState.RECONNECTING, ConnectionState.OFFLINE})

        running = RunningHub(config)
        assert await running.start() == url
        queued = await bob_sends("warning", alice_online=False)  # the app is away: the hub keeps it
        assert app.state is not ConnectionState.CONNECTED
        assert app.client is not None
        app.client.retry_now()  # the network is back (QNetworkInformation) or the backoff ran out
        await app.until(lambda: app.state is ConnectionState.CONNECTED)
        await app.until(lambda: app.inbox.unread.count == 2)  # the queued one, replayed on resume
        live = await bob_sends("error", alice_online=True)
        await app.until(lambda: app.inbox.unread.count == 3)
        assert await app.history_ids() == [live, queued, first]
        toasted = [t.notification_id for t in app.inbox.toasts.view().visible]
        assert sorted(toasted, key=lambda n: n or 0) == [first, queued, live]  # each toasted once
    finally:
        for client in clients:
            await client.close()
        await running.stop()


async def test_sign_out_revokes_the_token_and_the_app_is_told(hub: Hub, make_app: Any) -> None:
    await hub.user("alice", password="wonderland")
    token = (await login(hub.url, "alice", "wonderland")).token
    other_device: App = await make_app()
    await other_device.connect(hub.url, token)

    await logout(hub.url, token)  # e.g. signed out from another window with the same token

    assert other_device.client is not None
    await asyncio.wait_for(other_device.client.wait_stopped(), WAIT)
    assert other_device.state is ConnectionState.AUTH_FAILED
    assert other_device.states[-1].reason == "the hub no longer accepts this computer's sign-in"


async def test_wrong_password(hub: Hub) -> None:
    await hub.user("alice", password="wonderland")
    with pytest.raises(LoginRefusedError) as info:
        await login(hub.url, "alice", "not it")
    assert info.value.code == "unauthorized"


async def test_missed_notifications_are_reported_once(hub_factory: Any, make_app: Any) -> None:
    hub: Hub = await hub_factory(retention_count=2)
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob"))
    token = (await login(hub.url, "alice", "wonderland")).token
    app: App = await make_app()
    await app.connect(hub.url, token)
    first = await send(bob, "alice", "info", "kept locally")
    await app.until(lambda: app.inbox.unread.count == 1)
    assert app.client is not None
    await app.client.stop()

    for i in range(6):
        await send(bob, "alice", "message", f"later {i}")
    await hub.delivery.maintenance.prune()

    await app.connect(hub.url, token)
    await app.until(lambda: any(t.kind is ToastKind.NOTICE for t in app.inbox.toasts.view().visible))
    notice = next(t for t in app.inbox.toasts.view().visible if t.kind is ToastKind.NOTICE)
    assert notice.title == GAP_TITLE
    await app.until(lambda: app.inbox.unread.count == 3)  # the two the hub still had, plus the first
    entries = await app.inbox.history.entries()
    markers = [e for e in entries if isinstance(e, GapMarker)]
    assert len(markers) == 1 and markers[0].gap.since == first
    assert isinstance(entries[-1], StoredNotification) and entries[-1].notification.id == first


async def test_the_client_lists_every_room_page_by_page(
    hub: Hub, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop.net.client

    monkeypatch.setattr(desktop.net.client, "MAX_ROOM_PAGE", 7)  # 20 rooms: three pages
    for i in range(20):
        await hub.store.create_room(f"room{i:02d}", restricted=False, members=[])
    app: App = await make_app()
    client = await app.connect(hub.url, await hub.user("alice"))
    await client.call("join_room", {"room": "room19"})

    answer = await client.list_rooms()

    assert [r["name"] for r in answer["rooms"]] == [f"room{i:02d}" for i in range(20)]
    assert [r["name"] for r in answer["rooms"] if r["member"]] == ["room19"]
