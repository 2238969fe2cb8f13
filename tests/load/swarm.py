"""Many acking `Peer`s in one process, so the load suite can spread its receivers over several.

`python -m tests.load.swarm URL TOKENS_JSON SEED` (TOKENS_JSON: a file `{name: token}`) prints one JSON
line when a peer connects (`{"ev": "up", "n"}`) and one per notification shown (`{"ev": "note", "n",
"id", "at"}`, `at` from `time.monotonic()`, which on Linux is one clock for every process). It stops
every peer and exits when its standard input closes or reads `stop`.

One process driving a thousand python-socketio clients falls behind on a small machine (its event
loop, not the hub, then sets the latency and even times out its own connections); several smaller
processes measure the hub instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from tests.support.peers import Peer, Seen, until_told_to_stop

STOP_WAIT = 30.0  # seconds all peers together may take to disconnect


def _say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields, separators=(",", ":")) + "\n")


async def main(url: str, tokens_file: str, seed: int) -> None:
    tokens: dict[str, str] = json.loads(Path(tokens_file).read_text())
    rng = random.Random(seed)

    def peer(name: str, token: str) -> Peer:
        def on_note(seen: Seen) -> None:
            _say(ev="note", n=name, id=seen.id, at=seen.at)

        def on_connect() -> None:
            _say(ev="up", n=name)

        return Peer(url, name, token, rng=random.Random(rng.random()), on_note=on_note, on_connect=on_connect)

    peers = [peer(name, token) for name, token in tokens.items()]
    for start in range(0, len(peers), 50):  # connect in waves, as a LAN's machines would
        wave = peers[start : start + 50]
        for p in wave:
            p.start()
        await asyncio.gather(*(asyncio.wait_for(p.up.wait(), 120) for p in wave))
    flusher = asyncio.ensure_future(_flush())
    await until_told_to_stop()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(p.stop() for p in peers), return_exceptions=True), STOP_WAIT)
    flusher.cancel()
    _say(ev="stopped")
    sys.stdout.flush()


async def _flush() -> None:
    """Lines go out in batches, every 50 ms: a flush per notification would cost more than the client."""
    while True:
        sys.stdout.flush()
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    # python-socketio clients can leave tasks that outlive asyncio.run's cancellation; the lines are out
    sys.stdout.flush()
