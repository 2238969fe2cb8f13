"""The hub's Socket.IO manager: a disconnect leaves the connection's rooms, and only those, without
looking at every other connection's room (python-socketio walks them all: O(N) per disconnect)."""

from __future__ import annotations

from typing import Any

from hub.transport.socketio_internals import RoomIndexManager

NS = "/"


class Rooms(dict[Any, Any]):
    """A namespace's rooms that refuse to be walked: a disconnect that looks at every room fails."""

    def copy(self) -> Any:
        raise AssertionError("a disconnect walked every room of the namespace")

    def items(self) -> Any:
        raise AssertionError("a disconnect walked every room of the namespace")


def connected(manager: RoomIndexManager, count: int) -> list[str]:
    sids = []
    for i in range(count):
        sid = f"sid{i}"
        manager.basic_enter_room(sid, NS, None, eio_sid=f"eio{i}")
        manager.basic_enter_room(sid, NS, sid, eio_sid=f"eio{i}")
        sids.append(sid)
    return sids


def test_a_disconnect_leaves_its_rooms_without_walking_the_others() -> None:
    manager = RoomIndexManager()
    first, second, third = connected(manager, 3)
    manager.basic_enter_room(second, NS, "ops")
    manager.basic_enter_room(third, NS, "ops")
    manager.callbacks[second] = {1: print}
    manager.rooms[NS] = Rooms(manager.rooms[NS])

    manager.basic_disconnect(second, NS)

    rooms = manager.rooms[NS]
    assert set(dict.keys(rooms)) == {None, first, third, "ops"}
    assert set(rooms[None]) == {first, third}
    assert set(rooms["ops"]) == {third}
    assert second not in manager.callbacks


def test_the_last_connection_leaving_leaves_nothing_behind() -> None:
    manager = RoomIndexManager()
    (only,) = connected(manager, 1)
    manager.basic_enter_room(only, NS, "ops")
    manager.basic_leave_room(only, NS, "ops")
    manager.basic_enter_room(only, NS, "dev")

    manager.basic_disconnect(only, NS)

    assert manager.rooms == {}
    assert manager._other_rooms == {}
