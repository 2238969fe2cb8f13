"""Print every notification a user receives: `python examples/listen.py URL TOKEN`."""

from __future__ import annotations

import asyncio
import sys

import socketio


async def main(url: str, token: str) -> None:
    sio = socketio.AsyncClient()
    done = asyncio.Event()

    @sio.on("*")
    async def show(event: str, data: object = None) -> None:
        print(f"{event}: {data}", flush=True)

    @sio.on("connect_error")
    async def refused(data: object) -> None:
        print(f"refused: {data}", file=sys.stderr)
        done.set()

    await sio.connect(url, auth={"token": token}, transports=["websocket"])
    await done.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
    except KeyboardInterrupt:
        pass
