"""The collector in `notify-hub serve`: the heap frozen after a connect wave once it settles, unfrozen
when a wave leaves, and full collections timed."""

from __future__ import annotations

import gc
import re
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.heap import WAVE, GenTwoPauses, HeapKeeper
from tests.support.hubs import HubProcess


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """This test process's heap is given back to the collector after each test."""
    yield
    gc.unfreeze()


class Count:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


class Cycle:
    def __init__(self) -> None:
        self.me = self


def frozen_cycle() -> weakref.ref[Cycle]:
    """A reference cycle, frozen, then dropped: only a collection after `gc.unfreeze()` frees it."""
    leftover = Cycle()
    gc.freeze()
    leftover_ref = weakref.ref(leftover)
    del leftover
    gc.collect()
    assert leftover_ref() is not None
    return leftover_ref


def test_a_connect_wave_is_frozen_once_it_has_settled_without_a_collection() -> None:
    connections = Count()
    keeper = HeapKeeper(connections, Count())
    keeper.freeze(collect=True)
    keeper.pauses.install()
    try:
        connections.now = WAVE + 10
        arriving = keeper.check()  # still moving since the last check
        settled = keeper.check()
        again = keeper.check()  # nothing new since the freeze
    finally:
        keeper.pauses.remove()

    assert (arriving, settled, again) == (False, True, False)
    assert gc.get_freeze_count() > 0
    assert keeper.pauses.freezes == 0  # freezing an arrival costs no full collection


def test_a_few_connections_more_do_not_freeze_again() -> None:
    connections = Count()
    keeper = HeapKeeper(connections, Count())
    keeper.freeze(collect=True)
    connections.now = WAVE - 1

    assert [keeper.check(), keeper.check()] == [False, False]


def test_a_wave_that_leaves_unfreezes_so_its_cycles_are_collected() -> None:
    connections, departures = Count(), Count()
    connections.now = 2 * WAVE
    keeper = HeapKeeper(connections, departures)
    keeper.freeze(collect=True)
    leftover_ref = frozen_cycle()

    connections.now, departures.now = WAVE, WAVE
    leaving = keeper.check()  # still moving since the last check
    settled = keeper.check()

    assert (leaving, settled) == (False, True)
    assert leftover_ref() is None  # the leave wave's freeze collected first


def test_churn_with_the_count_level_still_gives_back_what_the_departed_left() -> None:
    """Devices that reconnect one by one: as many connections as ever, but each closed one left cycles."""
    connections, departures = Count(), Count()
    connections.now = WAVE
    keeper = HeapKeeper(connections, departures)
    keeper.freeze(collect=True)
    leftover_ref = frozen_cycle()

    departures.now = WAVE - 1
    assert not keeper.check()
    departures.now = WAVE  # and as many came back: the count is where it was
    assert not keeper.check()  # still leaving since the last check

    assert keeper.check()
    assert leftover_ref() is None


def test_full_collections_are_counted_and_timed() -> None:
    pauses = GenTwoPauses()
    pauses.install()
    try:
        gc.collect(0)
        gc.collect()
        gc.collect()
    finally:
        pauses.remove()

    assert pauses.count == 2
    assert pauses.total >= pauses.longest > 0
    assert pauses.summary().startswith("collector: 2 full collections")


def test_the_collection_before_a_freeze_is_counted_apart() -> None:
    keeper = HeapKeeper(Count(), Count())
    keeper.pauses.install()
    try:
        keeper.freeze(collect=True)
        gc.collect()
    finally:
        keeper.pauses.remove()

    assert (keeper.pauses.count, keeper.pauses.freezes) == (1, 1)


async def test_a_stopping_hub_says_what_its_full_collections_cost(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path / "hub", log=tmp_path / "hub.log")
    await hub.start()

    assert await hub.terminate() == 0

    assert re.search(
        r"collector: \d+ full collections, [\d.]+ ms in all, longest [\d.]+ ms; 1 freezes, longest [\d.]+ ms;",
        hub.logged(),
    )
