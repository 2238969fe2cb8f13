"""HubClient against a stand-in hub on a free port: real Socket.IO, no Qt, no sleeps."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from desktop.core.connection import Backoff, ConnectionState, ConnectionStatus
from desktop.core.models import Gap, ReceivedNotification
from desktop.net.client import HubClient, refusal_of
from desktop.net.http import login
from desktop.net.presence import Welcome
from tests.support.fakehub import FakeHub
from tests.support.waiting import WAIT, Changes


@pytest.fixture
async def hub() -> AsyncIterator[FakeHub]:
    fake = FakeHub()
    await fake.start()
    yield fake
    await fake.stop()


class Recorder(Changes):
    """Collects what a HubClient reports and lets a test wait for a condition on it."""

    def __init__(self) -> None:
        super().__init__()
        self.notifications: list[ReceivedNotification] = []
        self.states: list[ConnectionStatus] = []
        self.presence: list[frozenset[str]] = []
        #: For each entry of `presence`: whether it was the hub's whole list at a connect.
        self.whole: list[bool] = []
        self.welcomes: list[Welcome] = []
        self.gaps: list[Gap] = []
        self.hub_errors: list[tuple[str, str]] = []
        self.delays: list[float] = []
        self.fail_ids: set[int] = set()
        self.hold_sleeps = False
        self.hold_after = 1_000_000

    async def on_notification(self, n: ReceivedNotification) -> None:
        if n.id in self.fail_ids:
            self.fail_ids.discard(n.id)
            raise RuntimeError("disk full")
        self.notifications.append(n)
        self.poke()

    async def on_gap(self, gap: Gap) -> None:
        self.gaps.append(gap)
        self.poke()

    def on_state(self, status: ConnectionStatus) -> None:
        self.states.append(status)
        self.poke()

    def on_presence(self, online: frozenset[str], whole: bool) -> None:
        self.presence.append(online)
        self.whole.append(whole)
        self.poke()

    def on_welcome(self, welcome: Welcome) -> None:
        self.welcomes.append(welcome)

    def on_hub_error(self, code: str, message: str) -> None:
        self.hub_errors.append((code, message))
        self.poke()

    async def sleep(self, delay: float) -> None:
        """The backoff wait: recorded, and instant unless the test holds it."""
        self.delays.append(delay)
        self.poke()
        if self.hold_sleeps or len(self.delays) >= self.hold_after:
            await asyncio.Event().wait()

    @property
    def ids(self) -> list[int]:
        return [n.id for n in self.notifications]

    @property
    def state(self) -> ConnectionState | None:
        return self.states[-1].state if self.states else None


ClientFactory = Callable[..., Awaitable[HubClient]]


@pytest.fixture
async def rec() -> Recorder:
    return Recorder()


@pytest.fixture
async def make_client(hub: FakeHub, rec: Recorder) -> AsyncIterator[ClientFactory]:
    clients: list[HubClient] = []

    async def make(token: str | None = None, last_id: int | None = 0, url: str | None = None) -> HubClient:
        if token is None:
            token = (await login(hub.url, "alice", "wonderland")).token
        client = HubClient(
            url or hub.url,
            token,
            last_id=last_id,
            on_notification=rec.on_notification,
            on_gap=rec.on_gap,
            on_state=rec.on_state,
            on_presence=rec.on_presence,
            on_welcome=rec.on_welcome,
            on_hub_error=rec.on_hub_error,
            backoff=Backoff(initial=1, maximum=8, jitter=0, rng=lambda: 0.0),
            sleep=rec.sleep,
        )
        clients.append(client)
        client.start()
        return client

    yield make
    for client in clients:
        await client.stop()


async def test_connects_receives_and_acks(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    sigint = signal.getsignal(signal.SIGINT)
    client = await make_client()
    await rec.until(lambda: rec.state is ConnectionState.CONNECTED and bool(rec.welcomes))
    assert [s.state for s in rec.states] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    assert rec.welcomes[0].username == "alice"
    assert rec.welcomes[0].admin
    assert hub.auths[-1] == {"token": hub.auths[-1]["token"], "last_id": 0, "presence": "batched"}
    assert signal.getsignal(signal.SIGINT) is sigint  # the app's signals stay the app's

    sent = await hub.send("alice", "warning", title="<b>hi</b>", room=None)
    await rec.until(lambda: rec.ids == [sent["id"]])
    got = rec.notifications[0]
    assert (got.type.value, got.title, got.sender) == ("warning", "<b>hi</b>", "bob")
    await hub.until(lambda: hub.acks == [sent["id"]])
    assert client.last_id == sent["id"]


async def test_every_delivery_event_is_received_in_order(
    hub: FakeHub, rec: Recorder, make_client: ClientFactory
) -> None:
    await make_client()
    await hub.until(lambda: bool(hub.sessions))
    kinds = ["direct", "room", "everyone", "announcement"] * 10
    for kind in kinds:
        await hub.send("alice", "message", kind=kind, room="ops" if kind == "room" else None)
    await rec.until(lambda: len(rec.ids) == len(kinds))
    assert rec.ids == sorted(rec.ids)
    assert rec.notifications[1].origin == "bob in #ops"
    await hub.until(lambda: bool(hub.acks) and hub.acks[-1] == len(kinds))
    assert hub.acks == sorted(hub.acks)  # cumulative, never backwards


async def test_a_duplicate_delivery_is_handled_once(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    await make_client()
    await hub.until(lambda: bool(hub.sessions))
    first = await hub.send("alice")
    await hub.deliver(first)
    second = await hub.send("alice")
    await rec.until(lambda: second["id"] in rec.ids)
    assert rec.ids == [first["id"], second["id"]]


async def test_reconnect_resumes_from_the_last_id_and_misses_nothing(
    hub: FakeHub, rec: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    await hub.until(lambda: bool(hub.sessions))
    before = await hub.send("alice")
    await rec.until(lambda: rec.ids == [before["id"]])
    await hub.until(lambda: hub.acks == [before["id"]])

    rec.hold_sleeps = True
    await hub.kick_all()
    await rec.until(lambda: rec.state is ConnectionState.RECONNECTING and len(rec.delays) == 1)
    queued = [await hub.send("alice", t) for t in ("info", "error", "system")]  # sent while down
    rec.hold_sleeps = False
    client.retry_now()
    await rec.until(lambda: rec.ids == [before["id"], *(q["id"] for q in queued)])
    assert hub.auths[-1]["last_id"] == before["id"]  # the auth callable sent the newest resume point
    assert rec.state is ConnectionState.CONNECTED
    assert rec.delays == [1]


async def test_hub_refusing_the_token_stops_for_good(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    client = await make_client(token="revoked-or-made-up")
    await asyncio.wait_for(client.wait_stopped(), WAIT)
    assert rec.state is ConnectionState.AUTH_FAILED
    assert rec.states[-1].reason == "the hub no longer accepts this computer's sign-in"  # the tooltip's words
    assert rec.states[-1].tray_state == "offline"
    assert rec.delays == []


async def test_sign_out_elsewhere_sends_the_app_back_to_sign_in(
    hub: FakeHub, rec: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    await rec.until(lambda: rec.state is ConnectionState.CONNECTED)
    hub.tokens.clear()  # the token was revoked on the hub
    await hub.kick_all()
    await asyncio.wait_for(client.wait_stopped(), WAIT)
    assert [s.state for s in rec.states][-2:] == [ConnectionState.RECONNECTING, ConnectionState.AUTH_FAILED]


async def test_an_unreachable_hub_backs_off_and_turns_offline(
    hub: FakeHub, rec: Recorder, make_client: ClientFactory
) -> None:
    token = (await login(hub.url, "alice", "wonderland")).token
    url = hub.url
    await hub.stop()
    rec.hold_after = 5
    await make_client(token=token, url=url)
    await rec.until(lambda: len(rec.delays) >= 5)
    assert rec.delays[:5] == [1, 2, 4, 8, 8]
    states = [s.state for s in rec.states]
    assert states[:4] == [
        ConnectionState.CONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.OFFLINE,
    ]
    assert rec.states[-1].describe() == f"Offline: cannot reach the hub at {url}"
    hub.runner = None  # already stopped


async def test_a_failed_handler_is_not_acked_and_comes_back(
    hub: FakeHub, rec: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    await hub.until(lambda: bool(hub.sessions))
    rec.fail_ids.add(1)
    first = await hub.send("alice")
    second = await hub.send("alice")
    await rec.until(lambda: rec.ids == [first["id"], second["id"]])
    await hub.until(lambda: bool(hub.acks) and hub.acks[-1] == second["id"])
    assert hub.acks == sorted(hub.acks)
    assert [a["last_id"] for a in hub.auths] == [0, 0]  # resumed from before the failed one
    assert client.last_id == second["id"]


async def test_presence_gap_and_hub_errors(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    hub.pruned_upto = 5
    await make_client()
    await rec.until(lambda: bool(rec.gaps) and bool(rec.presence))
    assert rec.gaps == [Gap(since=0, upto=5, message="removed by retention")]
    assert (rec.presence[0], rec.whole[0]) == (frozenset({"alice"}), True)
    # A hub that does not batch (this one, as hubs before batches): its welcome's list, then one event a person.
    await hub.emit_all("user_online", {"userId": "bob", "username": "bob"})
    await rec.until(lambda: rec.presence[-1] == frozenset({"alice", "bob"}))
    await hub.emit_all("user_offline", {"userId": "bob", "username": "bob"})
    await rec.until(lambda: rec.presence[-1] == frozenset({"alice"}))
    assert rec.whole[1:] == [False, False]
    await hub.emit_all("error", {"code": "rate_limited", "message": "slow down", "event": "send_notification"})
    await rec.until(lambda: rec.hub_errors == [("rate_limited", "slow down")])


async def test_malformed_payloads_are_ignored(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    await make_client()
    await hub.until(lambda: bool(hub.sessions))
    await hub.emit_all("notification", {"id": "nope"})
    await hub.emit_all("gap", {"since": "x"})
    good = await hub.send("alice")
    await rec.until(lambda: rec.ids == [good["id"]])
    assert rec.gaps == []


async def test_without_a_resume_point_nothing_is_acked(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    await make_client(last_id=None)
    await hub.until(lambda: bool(hub.sessions))
    assert "last_id" not in hub.auths[-1]
    first = await hub.send("alice")
    await rec.until(lambda: rec.ids == [first["id"]])
    await hub.kick_all()
    await hub.until(lambda: len(hub.auths) == 2)
    assert hub.auths[-1]["last_id"] == first["id"]  # now it has one, and acks from here on
    second = await hub.send("alice")
    await hub.until(lambda: hub.acks == [second["id"]])


def test_refusal_shapes() -> None:
    nested = {"message": "m", "data": {"code": "unauthorized", "message": "inner"}}
    assert refusal_of(nested) == {"code": "unauthorized", "message": "inner"}
    assert refusal_of({"code": "forbidden", "message": "x"}) == {"code": "forbidden", "message": "x"}
    assert refusal_of("plain") == {"message": "plain"}


async def test_a_stop_that_lands_as_the_connection_opens_still_stops(hub: FakeHub) -> None:
    """Quitting while the app connects: the stop can come as python-socketio's connect completes (here, from
    the state callback that says the app is connected). Python 3.11's wait_for swallows a cancel that lands
    then; stop() must end all the same, or the app never quits."""
    token = (await login(hub.url, "alice", "wonderland")).token
    changes = Changes()
    stopping: list[asyncio.Task[None]] = []

    def on_state(status: ConnectionStatus) -> None:
        if status.state is ConnectionState.CONNECTED and not stopping:
            stopping.append(asyncio.get_running_loop().create_task(client.stop()))
        changes.poke()

    client = HubClient(hub.url, token, on_state=on_state)
    client.start()
    await changes.until(lambda: bool(stopping))
    done, pending = await asyncio.wait(stopping, timeout=WAIT)  # not wait_for: its cancel would end stop() itself
    for task in pending:
        task.cancel()
    assert done, "stop() never ended"
    assert client.status.state is ConnectionState.SIGNED_OUT


async def test_stop_is_idempotent_and_start_twice_is_an_error(make_client: ClientFactory, rec: Recorder) -> None:
    client = await make_client()
    await rec.until(lambda: rec.state is ConnectionState.CONNECTED)
    with pytest.raises(RuntimeError):
        client.start()
    await client.stop()
    await client.stop()
    assert rec.state is ConnectionState.SIGNED_OUT


class ExplodingSocket:
    """A Socket.IO client whose connect fails in an unexpected way (a library bug, a bad URL...)."""

    connected = False

    def on(self, *_: object) -> None:
        return None

    async def connect(self, *_: object, **__: object) -> None:
        raise ValueError("unexpected")

    async def disconnect(self) -> None:
        return None


async def test_an_unexpected_connect_error_is_retried_not_fatal(rec: Recorder) -> None:
    rec.hold_after = 2
    client = HubClient(
        "http://127.0.0.1:9",
        "tok",
        on_state=rec.on_state,
        sleep=rec.sleep,
        backoff=Backoff(initial=1, jitter=0, rng=lambda: 0.0),
        socket_factory=ExplodingSocket,
    )
    client.start()
    try:
        await rec.until(lambda: len(rec.delays) == 2)
        assert rec.state is ConnectionState.RECONNECTING
        assert rec.states[-1].reason == "cannot reach the hub at http://127.0.0.1:9"
    finally:
        await client.stop()


async def test_who_is_online_follows_presence_batches(hub: FakeHub, rec: Recorder, make_client: ClientFactory) -> None:
    await make_client()
    await rec.until(lambda: bool(rec.presence))

    await hub.emit_all("presence", {"online": ["alice", "bob", "carol"], "offline": [], "full": True})
    await rec.until(lambda: len(rec.presence) == 2)
    await hub.emit_all("presence", {"online": ["dan"], "offline": ["bob", "erin"], "full": False})
    await rec.until(lambda: len(rec.presence) == 3)
    odd: Any
    for odd in (None, [], {"online": "bob"}, {"online": [5, None], "offline": {}}):
        await hub.emit_all("presence", odd)  # nothing anyone can read: no change
    await hub.emit_all("presence", {"online": [], "offline": ["alice"]})
    await rec.until(lambda: len(rec.presence) == 4)

    assert rec.presence[1:] == [
        frozenset({"alice", "bob", "carol"}),
        frozenset({"alice", "carol", "dan"}),
        frozenset({"carol", "dan"}),
    ]
    assert rec.whole[1:] == [True, False, False]  # the full list is no one coming online
