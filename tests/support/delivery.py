"""Delivery without sockets: a started `Delivery` on a real store, an `Outbox` that records what each
connection was sent, and the helpers the delivery tests share."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

from hub.config import HubConfig
from hub.delivery import Actor, Delivery, Session
from hub.delivery.sending import Payload
from hub.metrics import NoMetrics
from hub.protocol import SendNotification, sent_ack
from hub.store import SqliteStore, User
from tests.support.waiting import Changes


class Recorder:
    """An Outbox that records what each sid was sent."""

    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[str, Any]]] = {}
        self.disconnected: list[str] = []

    async def emit(self, sid: str, event: str, data: Any) -> None:
        self.sent.setdefault(sid, []).append((event, data))

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        for sid in sids:
            await self.emit(sid, event, data)

    async def disconnect(self, sid: str) -> None:
        self.disconnected.append(sid)

    async def drain(self, sid: str) -> None:
        pass

    def ids(self, sid: str) -> list[int]:
        return [d["id"] for e, d in self.sent.get(sid, []) if e == "notification"]


class Jammed(Recorder):
    """Handing notifications out waits at a gate the test opens (a slow socket write)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.held = asyncio.Event()

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        self.held.set()
        await self.gate.wait()
        await super().emit_many(sids, event, data)


class CountedStore(SqliteStore):
    """Tells the test each time a batch is committed."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.committed: list[int] = []
        self.changes = Changes()

    async def add(self, drafts: Any) -> Any:
        stored = await super().add(drafts)
        self.committed += [s.notification.id for s in stored]
        self.changes.poke()
        return stored


@contextlib.asynccontextmanager
async def running(
    store: SqliteStore,
    outbox: Recorder,
    config: HubConfig,
    clock: Callable[[], float] = time.monotonic,
    metrics: NoMetrics | None = None,
) -> AsyncIterator[Delivery]:
    """A started delivery on `store` (opened here), counting with `metrics` if given; stopped, and
    the store closed, after."""
    await store.open()
    delivery = Delivery(config, store, outbox, clock=clock, metrics=metrics)
    await delivery.start()
    try:
        yield delivery
    finally:
        await delivery.stop()
        await store.close()


@contextlib.asynccontextmanager
async def alice_and_bob(
    store: SqliteStore, outbox: Recorder, config: HubConfig, clock: Callable[[], float] = time.monotonic
) -> AsyncIterator[tuple[Delivery, User, User]]:
    """`running`, with users alice and bob made once it has started."""
    async with running(store, outbox, config, clock) as delivery:
        alice = await store.create_user("alice", None, admin=False)
        bob = await store.create_user("bob", None, admin=False)
        yield delivery, alice, bob


S = TypeVar("S", bound=SqliteStore)


@contextlib.asynccontextmanager
async def recorded(store: S) -> AsyncIterator[tuple[Delivery, S, Recorder, User, User]]:
    """`alice_and_bob` on `store`, with the default settings and a `Recorder` for the outbox: the
    delivery, the store, the recorder, alice and bob."""
    outbox = Recorder()
    async with alice_and_bob(store, outbox, HubConfig(data_dir=store.path.parent)) as (delivery, alice, bob):
        yield delivery, store, outbox, alice, bob


async def send_and_ack(delivery: Delivery, actor: Actor, payload: Payload) -> dict[str, Any]:
    """A send, answered as the hub answers it once stored (`sent_ack`)."""
    stored = await delivery.sender.send(actor, payload)
    return sent_ack(stored.notification.id, len(stored.recipients))


def bob_session(bob: User, sid: str, **kw: Any) -> Session:
    return Session(user=bob, sid=sid, device="token:1", token_id=1, **kw)


async def send(delivery: Delivery, sender: User, text: str) -> int:
    """A direct notification to bob; its id."""
    answer = await send_and_ack(delivery, Actor(sender), SendNotification(to="bob", message=text))
    return int(answer["id"])
