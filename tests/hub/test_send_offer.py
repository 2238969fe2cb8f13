"""A direct send queued at once (`Sender.offer_direct`): in order, rate-limited one by one, each
settled once stored and handed out, without a future per notification."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.delivery import Actor, Delivery
from hub.delivery.sending import Sender
from hub.errors import RateLimited
from hub.protocol import Kind, NotificationType, SendNotification
from hub.store import NewNotification, SqliteStore, Stored, User
from tests.support.delivery import Recorder, alice_and_bob, bob_session


class Settled:
    """A waiter that records how it was settled and lets the test wait for it."""

    def __init__(self) -> None:
        self.result: Stored | None = None
        self.error: BaseException | None = None
        self.event = asyncio.Event()

    def done(self) -> bool:
        return self.event.is_set()

    def set_result(self, result: Stored, /) -> None:
        self.result = result
        self.event.set()

    def set_exception(self, exception: BaseException, /) -> None:
        self.error = exception
        self.event.set()


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Delivery, Recorder, User, User]]:
    store, transport = SqliteStore(tmp_path / "hub.sqlite3"), Recorder()
    config = HubConfig(data_dir=tmp_path, rate_burst=3, rate_refill_per_second=0.001)
    async with alice_and_bob(store, transport, config) as (service, alice, bob):
        await service.users.prime()  # both known in memory, as every user is once the hub has started
        await service.activate(bob_session(bob, "s1", acking=True, resume_from=0))
        yield service, transport, alice, bob


async def test_sends_queued_at_once_are_stored_in_order_and_a_refused_one_fails_alone(parts: Any) -> None:
    service, transport, alice, bob = parts
    actor = Actor(alice)
    waiters = [Settled() for _ in range(3)]
    for i, waiter in enumerate(waiters):
        assert service.sender.offer_direct(actor, SendNotification(to="bob", message=f"m{i}"), waiter)
    with pytest.raises(RateLimited):  # the burst of 3 is spent: this one alone is refused
        service.sender.offer_direct(actor, SendNotification(to="bob", message="m3"), Settled())

    for waiter in waiters:
        await asyncio.wait_for(waiter.event.wait(), 5)
    stored = [w.result for w in waiters]
    assert all(w.error is None for w in waiters)
    ids = [s.notification.id for s in stored if s is not None]
    assert [s.notification.message for s in stored if s is not None] == ["m0", "m1", "m2"]
    assert ids == sorted(ids) and transport.ids("s1") == ids
    assert all(s is not None and s.recipients == (bob.id,) for s in stored)


async def test_a_send_waits_behind_an_earlier_one_of_the_same_sender_that_is_still_waiting(parts: Any) -> None:
    service, _transport, alice, _bob = parts
    actor = Actor(alice)
    async with actor.send_lock:  # an earlier send of alice's is looking its recipient up
        assert not service.sender.offer_direct(actor, SendNotification(to="bob", message="later"), Settled())
    assert not service.sender.offer_direct(actor, SendNotification(to="nobody", message="x"), Settled())


def test_a_draft_names_each_field_as_the_keywords_would() -> None:
    actor = Actor(User(id=7, name="alice", admin=False, has_password=False))
    draft = Sender.new(
        actor, Kind.DIRECT, NotificationType.INFO, "t", "m", to_user_id=9, rich={"priority": "high"}, key="k"
    )
    assert draft == NewNotification(
        kind=Kind.DIRECT,
        type=NotificationType.INFO,
        title="t",
        message="m",
        sender="alice",
        timestamp=draft.timestamp,
        to_user_id=9,
        rich={"priority": "high"},
        sender_id=7,
        key="k",
    )
    notice = Sender.new(actor, Kind.NOTICE, NotificationType.INFO, "", "bob joined", room="dev")
    assert (notice.about_user_id, notice.sender_id, notice.room, notice.rich) == (7, None, "dev", None)


@pytest.mark.parametrize(
    "data",
    [
        {"to": "bob", "message": "plain"},
        {"to": "bob", "message": "rich", "title": "T", "type": "warning", "priority": "high", "key": "build"},
    ],
)
def test_a_direct_draft_is_the_one_every_other_send_makes(data: dict[str, Any]) -> None:
    """`Sender._direct` builds a direct send's draft in one call: it must equal `Sender.new`'s, field by
    field (a field added to the draft and forgotten there would otherwise go unnoticed)."""
    from hub.delivery.sending import Sender

    actor = Actor(User(id=3, name="alice", admin=False))
    payload = SendNotification.model_validate(data)
    fast = Sender._direct(actor, payload, 7)
    made = Sender.new(
        actor, Kind.DIRECT, payload.type, payload.title, payload.message, to_user_id=7,
        rich=payload.rich_wire(), key=payload.key,
    )  # fmt: skip
    assert fast._replace(timestamp="") == made._replace(timestamp="")
