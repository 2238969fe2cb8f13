"""`POST /api/login` and `POST /api/logout` over aiohttp."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from desktop.errors import HubResponseError, HubUnreachableError, LoginRefusedError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str
    username: str
    admin: bool

    def __repr__(self) -> str:  # never print the token
        return f"LoginResult(username={self.username!r}, admin={self.admin})"


def normalize_hub_url(text: str) -> str:
    """What the user typed as the hub address, as a base URL: 'hub.lan:8765' -> 'http://hub.lan:8765'."""
    url = text.strip().rstrip("/")
    if not url:
        raise ValueError("enter the hub address, e.g. http://hub.lan:8765")
    if "://" not in url:
        url = f"http://{url}"
    scheme = url.split("://", 1)[0].lower()
    if scheme not in {"http", "https"}:
        raise ValueError("the hub address must start with http:// or https://")
    return url


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise HubResponseError(f"the hub answered HTTP {response.status} with something that is not JSON")
    return data


def _error(data: dict[str, Any], fallback: str) -> tuple[str, str]:
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("code") or "error"), str(error.get("message") or fallback)
    return "error", fallback


async def login(
    hub_url: str, username: str, password: str, *, device: str = "", timeout: float = DEFAULT_TIMEOUT
) -> LoginResult:
    """Exchange a name and password for a device token."""
    body = {"username": username, "password": password, "device": device}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(f"{hub_url}/api/login", json=body) as response,
        ):
            data = await _json(response)
            if response.status in {400, 401, 403, 429}:
                code, message = _error(data, "the hub refused the sign-in")
                raise LoginRefusedError(code, message)
            if response.status != 200:
                raise HubResponseError(f"the hub answered HTTP {response.status} to the sign-in")
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise HubUnreachableError(f"cannot reach the hub at {hub_url} ({type(exc).__name__})") from exc
    token, user = data.get("token"), data.get("user")
    if not isinstance(token, str) or not token or not isinstance(user, dict):
        raise HubResponseError("the hub's sign-in answer has no token")
    return LoginResult(token=token, username=str(user.get("name") or username), admin=bool(user.get("admin")))


async def logout(hub_url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Revoke the device token on the hub. A token the hub no longer knows counts as revoked."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(f"{hub_url}/api/logout", headers=headers) as response,
        ):
            if response.status in {200, 204, 401}:
                return
            raise HubResponseError(f"the hub answered HTTP {response.status} to the sign-out")
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise HubUnreachableError(f"cannot reach the hub at {hub_url} ({type(exc).__name__})") from exc
