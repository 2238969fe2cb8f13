"""The fault run's read check on the sequence that once made it report two devices apart: a device
away while a key is updated never gets the replaced version (by design: a device gets its sender's
last word); a "mark all read" on the other device then covers that version there. The user sees the
same notifications read on both: the check compares what both devices show now. Real hub, the same
self-reconnecting `Peer`s as the fault run."""

from __future__ import annotations

import asyncio

from tests.faults.reads import agreeing, disagreement
from tests.support.clients import sent
from tests.support.hubs import Hub
from tests.support.peers import Peer
from tests.support.waiting import WAIT


async def test_a_version_one_device_never_got_does_not_set_the_devices_apart(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    laptop = Peer(hub.url, "bob", await hub.user("bob"))
    phone = Peer(hub.url, "bob", await hub.token("bob"), arrived=laptop.arrived)
    devices = [laptop, phone]
    both = laptop.arrived
    try:
        for device in devices:
            device.start()
            await asyncio.wait_for(device.up.wait(), WAIT)
        await phone.go_offline()

        first = await sent(alice, "bob", "build 1 running", key="build")
        await both.until(lambda: first in laptop.showing())
        second = await sent(alice, "bob", "build 1 passed", key="build")  # replaces `first` in the hub
        plain = await sent(alice, "bob", "lunch?")
        await both.until(lambda: {second, plain} <= laptop.showing())
        phone.go_online()
        await both.until(lambda: {second, plain} <= phone.showing())

        answer = await laptop.send("mark_read", {"all": True, "upto": plain})
        await both.until(lambda: all(d.reads and d.reads[-1]["id"] == answer["id"] for d in devices))
    finally:
        for device in devices:
            await device.stop()

    # The premise: the laptop got the replaced version, the phone only the last one.
    assert [s.id for s in laptop.seen] == [first, second, plain]
    assert [s.id for s in phone.seen] == [second, plain]
    # What bob sees: on each device the build's last word and the lunch note, both read.
    assert laptop.showing() == phone.showing() == {second, plain}
    assert laptop.read_set() & laptop.showing() == phone.read_set() & phone.showing() == {second, plain}
    assert answer["unread"] == 0
    assert disagreement(devices) == {} and agreeing(devices)
