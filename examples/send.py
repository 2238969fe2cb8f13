"""Send one notification: `python examples/send.py URL TOKEN RECIPIENT MESSAGE [TYPE]`."""

from __future__ import annotations

import asyncio
import sys

import socketio


async def main(url: str, token: str, to: str, message: str, type_: str = "message") -> int:
    async with socketio.AsyncSimpleClient() as client:
        await client.connect(url, auth={"token": token}, transports=["websocket"])
        answer = await client.call("send_notification", {"to": to, "message": message, "type": type_})
    if answer.get("ok"):
        print(f"sent: notification {answer['id']}")
        return 0
    print(f"not sent: {answer['error']['message']} ({answer['error']['code']})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(*sys.argv[1:])))
