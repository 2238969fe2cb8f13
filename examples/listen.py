"""Print every notification a user receives: `python examples/listen.py URL TOKEN`.

Runs until Ctrl+C. It reconnects by itself when the hub restarts; it stops (status 1) when the
hub refuses the token or ends the session itself (the token was revoked).
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import socketio


async def main(url: str, token: str) -> int:
    async with aiohttp.ClientSession() as http:
        return await listen(socketio.AsyncClient(http_session=http), url, token)


async def listen(sio: socketio.AsyncClient, url: str, token: str) -> int:
    ended = asyncio.Event()
    refusal: list[object] = []

    @sio.on("*")
    async def show(event: str, data: object = None) -> None:
        print(f"{event}: {data}", flush=True)

    @sio.on("connect_error")
    async def refused(data: object = None) -> None:
        refusal.append(data.get("message") if isinstance(data, dict) else data)

    @sio.on("disconnect")
    async def gone(reason: object = None) -> None:
        if reason == sio.reason.SERVER_DISCONNECT:  # not a dropped connection: the hub said goodbye
            ended.set()

    try:
        await sio.connect(url, auth={"token": token}, transports=["websocket"])
    except socketio.exceptions.ConnectionError as exc:
        print(f"cannot connect to {url}: {refusal[0] if refusal else exc}", file=sys.stderr)
        await sio.shutdown()
        return 1
    await ended.wait()
    print("the hub ended this session", file=sys.stderr)
    await sio.shutdown()
    return 1


if __name__ == "__main__":
    try:
        raise SystemExit(asyncio.run(main(sys.argv[1], sys.argv[2])))
    except KeyboardInterrupt:
        pass
