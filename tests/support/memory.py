"""A process's memory, as the kernel counts it; and whether this process gave back what a campaign took."""

from __future__ import annotations

import gc
import os


def rss(pid: int) -> int:
    """A process's resident memory, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


#: How far the test process's memory may stay above its baseline after a campaign: CPython keeps
#: freed memory in its arenas and moves its high-water mark in steps of a few MiB; what a campaign
#: leaked per input would be far more.
RSS_SLACK = 24 * 1024 * 1024


def settled_rss() -> int:
    """This process's resident memory (an in-process hub's with it) after a full collection."""
    gc.collect()
    return rss(os.getpid())


def assert_memory_returns(baseline: int, what: str) -> None:
    now = settled_rss()
    mib = 1024 * 1024
    print(f"{what}: RSS {baseline / mib:.1f} MiB before, {now / mib:.1f} MiB after", flush=True)
    assert now <= baseline + RSS_SLACK, f"{what}: memory grew by {(now - baseline) / mib:.1f} MiB"
