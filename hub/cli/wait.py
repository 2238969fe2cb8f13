"""`notify-hub send --wait`: wait for the first answer to a notification's `respond` buttons; and
`--wait-seen`: wait until an addressee has seen it (its receipts).

The answers are read from `GET /api/notifications/{id}/responses` with the sender's token (a
send-only token will do), once every `POLL_SECONDS`, until one comes or the time is up; so it
works with any token a script has, through a proxy, and across a cluster's hubs.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import Callable
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
    path = f"{url}/api/notifications/{notification_id}/responses"

    def first(answer: Any) -> Any:
        return answer["responses"][0] if answer["responses"] else None

    return await poll(path, token, ssl, wait, timeout, first, what="the answers")


async def poll(
    path: str, token: str, ssl: Any, wait: float, timeout: float, found: Callable[[Any], Any], *, what: str
) -> Any:
    """GET `path` every `POLL_SECONDS` until `found(answer)` is not None (returned) or `wait` seconds
    are up (None); a refusal is `SendFailed` naming `what` was read."""
    deadline = time.monotonic() + wait
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        while True:
            async with http.get(path, headers=headers, ssl=ssl) as response:
                answer = await response.json(content_type=None)
                if response.status != 200:
                    error = answer.get("error", {}) if isinstance(answer, dict) else {}
                    raise SendFailed(
                        f"cannot read {what}: {error.get('message', response.reason)} "
                        f"({error.get('code')}, HTTP {response.status})",
                        response.status,
                    )
            result = found(answer)
            if result is not None:
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            await asyncio.sleep(min(POLL_SECONDS, left))


async def first_seen(url: str, token: str, notification_id: int, ssl: Any, wait: float, timeout: float) -> str | None:
    """Who saw the notification (its receipts), once someone has, within `wait` seconds; None if nobody did.
    Names when the receipts give them, else `N of M`."""
    path = f"{url}/api/notifications/{notification_id}/receipts"

    def seen(answer: Any) -> str | None:
        if not answer["seen"]:
            return None
        names = [u["user"] for u in answer["users"] or () if u["seen_at"]]
        return ", ".join(names) if names else f"{answer['seen']} of {answer['addressees']}"

    found: str | None = await poll(path, token, ssl, wait, timeout, seen, what="the receipts")
    return found
