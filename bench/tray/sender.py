"""Send N notifications at once to one user, from a process of its own (the bench's burst).

    python -m bench.tray.sender URL TOKEN TO N

Connects with the device token, emits every `send_notification` without waiting in between, waits
for all the acks, prints how many the hub accepted.
"""

from __future__ import annotations

import asyncio
import sys

import socketio


async def send(url: str, token: str, to: str, count: int) -> int:
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
    try:
        acks = await asyncio.gather(*(
            sio.call("send_notification", {"to": to, "type": "warning" if i % 50 == 0 else "info",
                                           "title": f"CI job {i} finished", "message": f"job {i}: all tests passed"},
                     timeout=120)
            for i in range(count)
        ))  # fmt: skip
    finally:
        await sio.disconnect()
    return sum(1 for ack in acks if isinstance(ack, dict) and ack.get("ok"))


def main(argv: list[str]) -> int:
    url, token, to, count = argv
    print(asyncio.run(send(url, token, to, int(count))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
