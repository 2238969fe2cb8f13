"""Sends at a fixed offered rate from in-process websocket clients (`bench.commit_linger`, `bench.loop_cost`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiohttp


async def paced_sends(
    senders: Sequence[aiohttp.ClientWebSocketResponse], names: Sequence[str], rate: int, length: float, seq: int
) -> tuple[int, int]:
    """`send_notification` frames (no ack asked), round-robin over `senders`, to `names` in turn, at
    `rate` a second in 1 ms ticks for `length` seconds. Returns how many were sent and the last
    sequence number (each message carries one, counted on from `seq`)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while (now := loop.time()) - start < length:
        due = int((now - start) * rate) - sent
        for k in range(due):
            seq += 1
            body = f'{{"userId":"{names[seq % len(names)]}","message":"bench|l|{seq}|1.0"}}'
            await senders[k % len(senders)].send_str(f'42["send_notification",{body}]')
        sent += max(due, 0)
        await asyncio.sleep(0.001)
    return sent, seq
