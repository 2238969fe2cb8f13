"""`GET /api/scheduled` and `DELETE /api/scheduled/{key}` over aiohttp: the signed-in user's pending
scheduled sends, and cancelling one. No Qt."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

from desktop.core.scheduled import PendingSend, parse_pending
from desktop.errors import HubRefusedError, HubResponseError
from desktop.net.http import DEFAULT_TIMEOUT, _error, _json, _unreachable
from desktop.net.tls import certificate_error

log = logging.getLogger(__name__)


class ScheduledSends:
    """The pending scheduled sends of the account a device token belongs to, at one hub.

    Raises `HubRefusedError` (its `code`: `not_found` when the key has nothing pending, `unauthorized`...),
    `HubUnreachableError`, `CertificateError` or `HubResponseError`."""

    def __init__(self, hub_url: str, token: str, *, ssl: Any = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.hub_url = hub_url
        self._token = token
        self._ssl = ssl
        self._timeout = timeout

    def __repr__(self) -> str:  # never print the token
        return f"ScheduledSends({self.hub_url!r})"

    async def pending(self) -> list[PendingSend]:
        """What is scheduled, soonest first."""
        data = await self._request("GET", "/api/scheduled")
        try:
            return parse_pending(data)
        except ValueError as exc:
            raise HubResponseError(f"The hub's list of scheduled sends was not understood: {exc}.") from None

    async def cancel(self, key: str) -> int:
        """Cancel the pending sends with this key; returns how many there were."""
        data = await self._request("DELETE", f"/api/scheduled/{quote(key, safe='')}")
        cancelled = data.get("cancelled")
        return cancelled if isinstance(cancelled, int) else 0

    async def _request(self, method: str, path: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout)) as session,
                session.request(method, f"{self.hub_url}{path}", headers=headers, ssl=self._ssl) as response,
            ):
                data = await _json(response)
                if response.status != 200:
                    code, message = _error(data, f"HTTP {response.status}")
                    raise HubRefusedError(code, message)
                return data
        except aiohttp.ClientError as exc:
            problem = await certificate_error(exc, self.hub_url)
            if problem is not None:
                raise problem from exc
            raise _unreachable(self.hub_url, exc) from exc
        except TimeoutError as exc:
            raise _unreachable(self.hub_url, exc) from exc
