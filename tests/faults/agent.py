"""A `Peer` in its own process, so a test can SIGSTOP it (a laptop lid closing, a frozen VM).

`python -m tests.faults.agent URL NAME TOKEN SEED` prints one JSON line per connection
(`{"ev": "connect"}`) and per notification shown (`{"ev": "note", "id", "from", "message"}`), and
disconnects and exits when its standard input closes or reads `stop`.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys

from tests.support.peers import Peer, Seen, until_told_to_stop


def _say(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


async def main(url: str, name: str, token: str, seed: int) -> None:
    peer = Peer(
        url,
        name,
        token,
        rng=random.Random(seed),
        on_note=lambda s: _say(ev="note", id=s.id, sender=s.sender, message=s.message, key=s.key),
        on_retract=lambda r: _say(ev="retract", id=r["id"], sender=r["from"], key=r["key"]),
        on_connect=lambda: _say(ev="connect"),
    )
    peer.start()
    await until_told_to_stop()
    await peer.stop()
    _say(ev="stopped")


def parse_line(line: bytes) -> Seen | tuple[str, str, int] | str:
    """The parent's side: a `Seen` for a note, (sender, key, its id) for a retraction, else the event name."""
    data = json.loads(line)
    if data["ev"] == "note":
        return Seen(int(data["id"]), str(data["sender"]), str(data["message"]), 0.0, data.get("key"))
    if data["ev"] == "retract":
        return (str(data["sender"]), str(data["key"]), int(data["id"]))
    return str(data["ev"])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
