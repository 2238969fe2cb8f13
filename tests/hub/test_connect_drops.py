"""A connection that closes while the hub is still signing it in leaves nothing behind.

python-socketio runs no disconnect handler for a connection that closes while its connect handler
waits (on the store: the device token's look-up, or open mode's user), and would count the sid
connected once the handler returns. Such a connection must not show its user online for ever nor
hold one of the account's `max_connections_per_user`: a flaky network would lock the user out.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from hub.app_keys import SOCKETS
from hub.transport.socketio_server import HubSocketIOServer
from tests.support.clients import Client
from tests.support.hubs import Hub
from tests.support.raw_engineio import RawSocket
from tests.support.waiting import WAIT

NS = "/"


class HeldOnce:
    """The next call of an async method waits, once inside, until the test releases it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        original: Callable[..., Awaitable[Any]] = getattr(owner, name)
        used = False

        async def held(*args: Any, **kwargs: Any) -> Any:
            nonlocal used
            if used:
                return await original(*args, **kwargs)
            used = True
            self.entered.set()
            await self.release.wait()
            return await original(*args, **kwargs)

        monkeypatch.setattr(owner, name, held)


def on_return(monkeypatch: pytest.MonkeyPatch, handlers: dict[str, Any], event: str) -> asyncio.Event:
    """Set each time the handler of `event` returns (or raises)."""
    returned = asyncio.Event()
    original = handlers[event]

    async def handler(*args: Any) -> Any:
        try:
            return await original(*args)
        finally:
            returned.set()

    monkeypatch.setitem(handlers, event, handler)
    return returned


def holds_nothing_of(sio: HubSocketIOServer, eio_sid: str) -> bool:
    """Neither python-socketio's manager nor the hub's table of connected sids knows the connection."""
    manager = sio.manager
    in_rooms = any(eio_sid in members.values() for members in manager.rooms.get(NS, {}).values())
    return eio_sid not in manager.connected and not in_rooms and manager.sid_from_eio_sid(eio_sid, NS) is None


async def dropped_while_held(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, store_method: str, frame: str, *, polling: bool = True
) -> str:
    """Send `frame` (which makes the hub call `store_method`) on a new connection, close the connection
    while that call waits, then let the call return; the connection's Engine.IO sid, once the
    event's handler has returned.

    On long-polling the client closes it (an Engine.IO CLOSE in a request of its own, as a client
    that gives up does); on a websocket the hub does (as its sign-in deadline and ping timeout do:
    the websocket's reader is the one waiting on the handler, so a close from the client is read after it)."""
    sio = hub.running.app[SOCKETS].sio
    held = HeldOnce(monkeypatch, hub.delivery.store, store_method)
    eio_gone = on_return(monkeypatch, sio.eio.handlers, "disconnect")
    handled = on_return(monkeypatch, sio.handlers[NS], "connect" if frame.startswith("40") else "authenticate")
    url = hub.url + "/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        raw: RawSocket | None = None
        if polling:
            async with http.get(url) as opened:
                eio_sid = json.loads((await opened.text())[1:])["sid"]
        else:
            raw = await RawSocket.open(hub.url)
            eio_sid = raw.open_packet["sid"]
        if not frame.startswith("40"):
            assert (await post(http, f"{url}&sid={eio_sid}", "40")) == 200
        sending = asyncio.ensure_future(post(http, f"{url}&sid={eio_sid}", frame) if raw is None else raw.send(frame))
        try:
            await asyncio.wait_for(held.entered.wait(), WAIT)
            if polling:
                assert (await post(http, f"{url}&sid={eio_sid}", "1")) == 200  # Engine.IO CLOSE
            else:
                socket = sio.eio.socket_by_eio_sid(eio_sid)
                await socket.close(wait=False, reason=sio.eio.reason.TRANSPORT_ERROR)
            await asyncio.wait_for(eio_gone.wait(), WAIT)
            socket = sio.eio.socket_by_eio_sid(eio_sid)
            assert socket is None or socket.closed
            held.release.set()
            await asyncio.wait_for(handled.wait(), WAIT)
            await asyncio.wait_for(sending, WAIT)
        finally:
            sending.cancel()
            if raw is not None:
                await raw.close()
    return eio_sid


async def post(http: aiohttp.ClientSession, url: str, body: str) -> int:
    async with http.post(url, data=body) as answer:
        return answer.status


@pytest.mark.parametrize("polling", [True, False], ids=["client-closes-polling", "hub-closes-websocket"])
async def test_a_connection_closed_while_its_token_is_looked_up_is_not_left_online(
    hub_factory: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, polling: bool
) -> None:
    hub: Hub = await hub_factory(max_connections_per_user=1)
    token = await hub.user("alice")
    watcher = await hub.client(await hub.user("watcher"))

    caplog.clear()
    frame = "40" + json.dumps({"token": token})
    eio_sid = await dropped_while_held(hub, monkeypatch, "token_by_hash", frame, polling=polling)
    await assert_left_nothing(hub, watcher, caplog, eio_sid)

    # Her one connection (max_connections_per_user=1) is still hers to use, and when it closes she
    # is offline: nothing else holds her online.
    alice = await hub.client(token)
    assert (await watcher.next("user_online"))["userId"] == "alice"
    await alice.close()
    assert (await watcher.next("user_offline"))["userId"] == "alice"
    assert (await watcher.call("list_online"))["online"] == ["watcher"]
    assert watcher.pending("user_online") == []


@pytest.mark.parametrize("at", ["connect", "authenticate"])
async def test_open_mode_a_connection_closed_while_its_user_is_made_is_not_left_online(
    hub_factory: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, at: str
) -> None:
    hub: Hub = await hub_factory(open=True, max_connections_per_user=1)
    watcher = await hub.client(auth={"userId": "watcher"})

    caplog.clear()
    claim = {"userId": "carol"}
    frame = "40" + json.dumps(claim) if at == "connect" else '42["authenticate",' + json.dumps(claim) + "]"
    eio_sid = await dropped_while_held(hub, monkeypatch, "ensure_user", frame)
    await assert_left_nothing(hub, watcher, caplog, eio_sid)

    if at == "connect":
        carol = await hub.client(auth=claim)
    else:
        carol = await hub.client()
        assert (await carol.call("authenticate", claim))["ok"] is True
    assert (await watcher.next("user_online"))["userId"] == "carol"
    await carol.close()
    assert (await watcher.next("user_offline"))["userId"] == "carol"


async def assert_left_nothing(hub: Hub, watcher: Client, caplog: pytest.LogCaptureFixture, eio_sid: str) -> None:
    """The dropped connection's user is not online for `watcher` (who asks after its handler has
    returned), nothing of it is held, and nothing was logged at warning level or above."""
    assert (await watcher.call("list_online"))["online"] == ["watcher"]
    assert holds_nothing_of(hub.running.app[SOCKETS].sio, eio_sid)
    assert signed_in(hub) == ["watcher"]
    assert loud(caplog) == []


def loud(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What was logged at warning level or above, or with a traceback."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


def signed_in(hub: Hub) -> list[str]:
    """Whose sessions the hub's handlers hold."""
    return sorted(session.user.name for session in hub.running.app[SOCKETS].events._sessions.values())


async def test_open_mode_two_authenticates_at_once_sign_the_connection_in_once(
    hub_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long-polling POSTs of one connection are handled side by side: a client that sends
    `authenticate` twice at once gets one session, which ends with the connection and leaves none of
    the user's `max_connections_per_user` held."""
    hub: Hub = await hub_factory(open=True, max_connections_per_user=2)
    watcher = await hub.client(auth={"userId": "watcher"})
    sio = hub.running.app[SOCKETS].sio
    held = HeldOnce(monkeypatch, hub.delivery.store, "ensure_user")
    eio_gone = on_return(monkeypatch, sio.eio.handlers, "disconnect")
    frame = '42["authenticate",' + json.dumps({"userId": "carol"}) + "]"
    url = hub.url + "/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as opened:
            session_url = f"{url}&sid={json.loads((await opened.text())[1:])['sid']}"
        assert (await post(http, session_url, "40")) == 200
        first = asyncio.ensure_future(post(http, session_url, frame))
        try:
            await asyncio.wait_for(held.entered.wait(), WAIT)
            assert (await asyncio.wait_for(post(http, session_url, frame), WAIT)) == 200  # signed in
            held.release.set()
            assert (await asyncio.wait_for(first, WAIT)) == 200
        finally:
            first.cancel()
        assert (await watcher.next("user_online"))["userId"] == "carol"
        assert signed_in(hub) == ["carol", "watcher"]
        assert (await post(http, session_url, "1")) == 200  # Engine.IO CLOSE
        await asyncio.wait_for(eio_gone.wait(), WAIT)

    assert (await watcher.call("list_online"))["online"] == ["watcher"]
    assert (await watcher.next("user_offline"))["userId"] == "carol"
    # Both of her connections (max_connections_per_user=2) are hers to use again.
    carols = [await hub.client(auth={"userId": "carol"}) for _ in range(2)]
    assert (await watcher.call("list_online"))["online"] == ["carol", "watcher"]
    for carol in carols:
        await carol.close()
    assert (await watcher.next("user_offline"))["userId"] == "carol"
    assert (await watcher.call("list_online"))["online"] == ["watcher"]
