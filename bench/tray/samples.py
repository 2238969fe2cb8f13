"""A history as a team's tray app would hold it after some weeks: 10,000 notifications of every type,
from short one-liners to a few near the hub's 4 KB limit."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.core.history import HistoryStore
from desktop.core.models import ReceivedNotification
from hub.protocol import Kind, NotificationType

_WORDS = ("build deploy backup disk cpu memory ticket review lunch meeting release staging production "
          "database cache queue worker timeout retry alert resolved failed passed nightly weekly").split()  # fmt: skip
_TYPES = [NotificationType.INFO] * 5 + [NotificationType.SUCCESS] * 2 + [NotificationType.WARNING,
          NotificationType.ERROR, NotificationType.MESSAGE, NotificationType.SYSTEM]  # fmt: skip


def notifications(count: int, *, seed: int = 7) -> list[ReceivedNotification]:
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    made = []
    for i in range(1, count + 1):
        size = rng.choice((8, 12, 20, 40, 80)) if i % 200 else 600  # words; one in 200 is ~4 KB
        message = " ".join(rng.choice(_WORDS) for _ in range(size))[:4000]
        room = rng.choice((None, None, "ops", "dev"))
        made.append(ReceivedNotification(
            id=i, kind=Kind.ROOM if room else Kind.DIRECT, type=rng.choice(_TYPES),
            title=" ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6))).capitalize(),
            message=message, sender=rng.choice(("ci", "monitor", "bob", "carol")), room=room,
            timestamp=start + timedelta(minutes=7 * i),
        ))  # fmt: skip
    return made


def fill(path: Path, count: int) -> None:
    """A history file at `path` holding `count` notifications (ids 1..count), every other one read."""
    store = HistoryStore(path)
    try:
        store.add_many(notifications(count))
        store.set_read(list(range(1, count + 1, 2)), True)
    finally:
        store.close()
