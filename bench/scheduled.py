"""Scheduled delivery: how late after its `deliver_at` a scheduled notification reaches a client.

    .venv/bin/python -m bench.scheduled [--count 50] [--spread 5]

One hub in this process on a SQLite store in a temporary folder, with `schedule_min_seconds` at 1 so
the run takes seconds. A sender schedules `count` notifications at moments spread over `spread`
seconds (from 2 s ahead); a receiver notes when each arrives. Prints the lateness (arrival minus
`deliver_at`, in milliseconds) at the median, the 95th percentile and the worst: the hub promises
delivery within a second of the time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.config import HubConfig
from hub.server import RunningHub
from tests.support.clients import Client


async def run(count: int, spread: float) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        config = HubConfig(host="127.0.0.1", port=0, data_dir=Path(folder), schedule_min_seconds=1.0)
        config = config.with_changes(rate_burst=count + 10, announce=False)
        running = RunningHub(config)
        url = await running.start()
        try:
            await running.accounts.add_user("sender", "pw", admin=False)
            await running.accounts.add_user("receiver", "pw", admin=False)
            sender, receiver = Client(url), Client(url)
            await sender.connect({"token": (await running.accounts.issue_token("sender", "bench")).secret})
            await receiver.connect({"token": (await running.accounts.issue_token("receiver", "bench")).secret})
            start = datetime.now(UTC) + timedelta(seconds=2)
            due: dict[str, float] = {}
            for n in range(count):
                moment = start + timedelta(seconds=spread * n / max(1, count - 1))
                text = f"scheduled {n}"
                ack = await sender.call(
                    "send_notification", {"to": "receiver", "message": text, "deliver_at": moment.isoformat()}
                )
                assert ack["ok"], ack
                due[text] = moment.timestamp()
            late = []
            for _ in range(count):
                note = await receiver.next("notification", timeout=spread + 30)
                late.append((time.time() - due[note["message"]]) * 1000)
            await sender.close()
            await receiver.close()
            return late
        finally:
            await running.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--spread", type=float, default=5.0)
    args = parser.parse_args()
    late = sorted(asyncio.run(run(args.count, args.spread)))
    p95 = late[min(len(late) - 1, int(len(late) * 0.95))]
    print(f"scheduled notifications: {len(late)} over {args.spread:g} s")
    print(f"lateness ms: median {statistics.median(late):.1f}  p95 {p95:.1f}  worst {late[-1]:.1f}")


if __name__ == "__main__":
    main()
