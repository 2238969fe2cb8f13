"""The hub's own CPU for one device coming back: its welcome and its catch-up, no sockets.

    taskset -c 0 python -m bench.reconnect --n 1000 5000

N users (no password, a real SQLite store in a temporary directory) each connect once with
`auth: {last_id: 0, presence: "batched"}`, as the tray app and the web app do, and leave; then they
all come back, three times. Printed per N: the process CPU (the event loop and the store's thread)
and the event loop's own CPU per reconnect (`Delivery.activate`: presence, the welcome and its
unread count, the catch-up's query), best of the three. The Socket.IO layer is not in it (the
storm, `bench.storm`, measures the whole hub).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from hub.config import HubConfig
from hub.delivery import Delivery, Session
from hub.store import SqliteStore

ROUNDS: Final = 3


class NullOutbox:
    """Frames go nowhere: the bench measures what the hub does to make them."""

    async def emit(self, sid: str, event: str, data: Any) -> None:
        return None

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        return None

    async def disconnect(self, sid: str) -> None:
        return None

    async def drain(self, sid: str) -> None:
        return None


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def reconnects(n: int) -> tuple[float, float]:
    """(process CPU, event loop CPU) per reconnect, in µs: the best of `ROUNDS` waves of n."""
    with tempfile.TemporaryDirectory(prefix="lan-notify-reconnect-") as tmp:
        store = SqliteStore(Path(tmp) / "hub.sqlite3")
        await store.open()
        # No presence flush within the run: its cost is the storm's, not a reconnect's.
        delivery = Delivery(HubConfig(data_dir=Path(tmp), presence_interval_seconds=3600.0), store, NullOutbox())
        await delivery.start()
        try:
            users = [await store.create_user(f"u{i}", None, admin=False) for i in range(n)]
            figures = []
            # As the apps connect: no list in the welcome (a hub from before `listed` has none for batches).
            apps: dict[str, Any] = {"listed": False} if "listed" in Session.__dataclass_fields__ else {}
            for wave in range(ROUNDS + 1):  # wave 0: each user's first connect
                sessions = [
                    Session(user=u, sid=f"{wave}-{i}", device=f"d{i}", acking=True, resume_from=0, batched=True, **apps)
                    for i, u in enumerate(users)
                ]
                cpu, loop = _cpu(), time.thread_time()
                for session in sessions:
                    await delivery.activate(session)
                cpu, loop = _cpu() - cpu, time.thread_time() - loop
                for session in sessions:
                    await delivery.disconnected(session, clean=True)
                if wave:
                    figures.append((cpu / n * 1e6, loop / n * 1e6))
            return min(figures)
        finally:
            await delivery.stop()
            await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reconnect", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 5000], help="users (default 1000 5000)")
    args = parser.parse_args(argv)
    print("| N | process CPU per reconnect | event loop CPU per reconnect |")
    print("| ---: | ---: | ---: |")
    for n in args.n:
        cpu, loop = asyncio.run(reconnects(n))
        print(f"| {n:,} | {cpu:.0f} µs | {loop:.0f} µs |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
