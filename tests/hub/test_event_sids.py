"""Which sid an event comes from: the hub's manager holds each connected sid by its Engine.IO sid for
exactly as long as python-socketio counts it connected, and the event path reads that, not
python-socketio's look-ups (four calls per event)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.app_keys import SOCKETS
from hub.transport.socketio_internals import RoomIndexManager
from hub.transport.socketio_server import HubSocketIOServer
from tests.support.hubs import Hub

NS = "/"


def held(manager: RoomIndexManager) -> dict[str, str]:
    """What python-socketio counts connected on the default namespace, by Engine.IO sid."""
    by_sid = manager.rooms.get(NS, {}).get(None, {})
    return {eio: sid for sid, eio in by_sid.items() if manager.is_connected(sid, NS)}


async def test_a_sid_is_held_from_its_connect_to_the_start_of_its_disconnect() -> None:
    manager = HubSocketIOServer(async_mode="aiohttp").manager
    assert isinstance(manager, RoomIndexManager)

    first = await manager.pre_connect("eio-1", NS)
    second = await manager.pre_connect("eio-2", NS)
    assert manager.connected == held(manager) == {}  # its connect handler is still running

    await manager.connect(first, NS)
    await manager.connect(second, NS)
    assert manager.connected == held(manager) == {"eio-1": first, "eio-2": second}

    manager.pre_disconnect(first, NS)  # its disconnect handler runs from here
    assert manager.connected == held(manager) == {"eio-2": second}
    await manager.disconnect(first, NS)
    await manager.disconnect(second, NS)  # a disconnect without its pre_disconnect (a refused connect's)
    assert manager.connected == held(manager) == {}


async def test_only_the_default_namespace_is_held() -> None:
    manager = HubSocketIOServer(async_mode="aiohttp").manager
    sid = await manager.pre_connect("eio-1", "/other")
    await manager.connect(sid, "/other")

    assert manager.is_connected(sid, "/other")
    assert manager.connected == {}


async def test_sends_are_served_without_python_socketios_per_event_lookups(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    sio = hub.running.app[SOCKETS].sio
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    looked_up: list[Any] = []
    for name in ("sid_from_eio_sid", "is_connected"):
        original = getattr(sio.manager, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            looked_up.append(_name)
            return _original(*args)

        monkeypatch.setattr(sio.manager, name, counted)

    for i in range(3):
        ack = await alice.call("send_notification", {"to": "bob", "message": f"n{i}"})
        assert ack["ok"] is True

    assert [(await bob.next("notification"))["message"] for _ in range(3)] == ["n0", "n1", "n2"]
    assert looked_up == []


async def test_a_closed_connection_is_no_longer_held_and_its_events_reach_nothing(hub: Hub) -> None:
    sio = hub.running.app[SOCKETS].sio
    stays = await hub.client(await hub.user("stays"))
    leaves = await hub.client(await hub.user("leaves"))
    assert set(sio.manager.connected.values()) == {stays.sio.get_sid(), leaves.sio.get_sid()}

    await leaves.close()
    assert (await stays.next("user_offline"))["userId"] == "leaves"

    assert set(sio.manager.connected.values()) == {stays.sio.get_sid()}
    back = await hub.client(await hub.token("leaves"))
    ack = await back.call("send_notification", {"to": "stays", "message": "back"})
    assert ack["ok"] is True
    assert (await stays.next("notification"))["message"] == "back"
