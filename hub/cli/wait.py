"""`notify-hub send --wait`: wait for the first answer to a notification's `respond` buttons.

The answers are read from `GET /api/notifications/{id}/responses` with the sender's token (a
send-only token will do), once every `POLL_SECONDS`, until one comes or the time is up; so it
works with any token a script has, through a proxy, and across a cluster's hubs.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from typing import Any, Final

import aiohttp

from hub.errors import SendFailed

#: How often the answers are asked for while waiting.
POLL_SECONDS: Final = 1.0
_UNITS: Final = {"": 1, "s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")


def duration(text: str) -> float:
    """A duration as `--wait` takes it: `90`, `90s`, `10m`, `2h` (seconds without a unit)."""
    found = _DURATION.match(text.lower())
    if found is None or float(found[1]) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30s, 10m or 2h")
    return float(found[1]) * _UNITS[found[2]]


def shown(seconds: float) -> str:
    """`600` -> `10m`, `45` -> `45s`: a duration as `--wait` took it."""
    for unit in ("h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{seconds / _UNITS[unit]:g}{unit}"
    return f"{seconds:g}s"


async def first_answer(url: str, token: str, notification_id: int, ssl: Any, wait: float, timeout: float) -> Any:
    """The first answer (`response` object) within `wait` seconds, or None."""
    deadline = time.monotonic() + wait
    headers = {"Authorization": f"Bearer {token}"}
    path = f"{url}/api/notifications/{notification_id}/responses"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        while True:
            async with http.get(path, headers=headers, ssl=ssl) as response:
                answer = await response.json(content_type=None)
                if response.status != 200:
                    error = answer.get("error", {}) if isinstance(answer, dict) else {}
                    raise SendFailed(
                        f"cannot read the answers: {error.get('message', response.reason)} "
                        f"({error.get('code')}, HTTP {response.status})",
                        response.status,
                    )
            if answer["responses"]:
                return answer["responses"][0]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            await asyncio.sleep(min(POLL_SECONDS, left))
