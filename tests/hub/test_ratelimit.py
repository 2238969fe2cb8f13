"""Token buckets: a burst, a steady refill, and a bounded number of keys."""

from __future__ import annotations

from hub.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_per_refill() -> None:
    clock = Clock()
    buckets = TokenBuckets(burst=3, refill_per_second=0.5, clock=clock)

    assert [buckets.take("alice") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("alice") == 2.0  # seconds until the next one
    assert buckets.take("bob") == 0.0, "per key"
    clock.now += 2.0
    assert buckets.take("alice") == 0.0


def test_keys_that_come_and_go_do_not_pile_up() -> None:
    clock = Clock()
    buckets = TokenBuckets(burst=2, refill_per_second=1.0, clock=clock, max_keys=100)

    for i in range(1000):
        buckets.take(f"name{i}")
        clock.now += 0.1  # each bucket is full again 1 s after its one use

    assert len(buckets) <= 100
    busy = TokenBuckets(burst=2, refill_per_second=1.0, clock=clock, max_keys=100)
    busy.take("a")
    busy.take("a")
    for i in range(200):
        busy.take(f"other{i}")
    assert busy.take("a") > 0, "a bucket still refilling is never forgotten"
