"""`POST /api/login` and `POST /api/logout` over aiohttp."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from desktop.errors import HubResponseError, HubUnreachableError, LoginRefusedError
from desktop.net.tls import certificate_error

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
        raise ValueError("Enter the hub address, e.g. http://hub.lan:8765.")
    if "://" not in url:
        url = f"http://{url}"
    scheme = url.split("://", 1)[0].lower()
    if scheme not in {"http", "https"}:
        raise ValueError("The hub address starts with http:// or https://.")
    return url


def _unreachable(hub_url: str, exc: BaseException) -> HubUnreachableError:
    log.debug("cannot reach %s: %r", hub_url, exc)
    return HubUnreachableError(f"Cannot reach the hub at {hub_url}: check the address, and that the hub is running.")


def _retry_after(data: dict[str, Any]) -> float | None:
    error = data.get("error")
    retry = error.get("retry_after") if isinstance(error, dict) else None
    return float(retry) if isinstance(retry, int | float) else None


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise HubResponseError(f"The answer (HTTP {response.status}) is not a lan-notify hub's: check the hub address.")
    return data


def _error(data: dict[str, Any], fallback: str) -> tuple[str, str]:
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("code") or "error"), str(error.get("message") or fallback)
    return "error", fallback


async def login(
    hub_url: str,
    username: str,
    password: str,
    *,
    device: str = "",
    timeout: float = DEFAULT_TIMEOUT,
    ssl: Any = True,
) -> LoginResult:
    """Exchange a name and password for a device token.

    `ssl` comes from `HubTrust.ssl_for`; a certificate it does not trust raises a `CertificateError`.
    """
    body = {"username": username, "password": password, "device": device}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(f"{hub_url}/api/login", json=body, ssl=ssl) as response,
        ):
            data = await _json(response)
            if response.status in {400, 401, 403, 429}:
                code, message = _error(data, "the hub refused the sign-in")
                raise LoginRefusedError(code, message, retry_after=_retry_after(data))
            if response.status != 200:
                raise HubResponseError(
                    f"The hub answered the sign-in with HTTP {response.status}: try again later, or tell its admin."
                )
    except aiohttp.ClientError as exc:
        problem = await certificate_error(exc, hub_url)
        if problem is not None:
            raise problem from exc
        raise _unreachable(hub_url, exc) from exc
    except TimeoutError as exc:
        raise _unreachable(hub_url, exc) from exc
    token, user = data.get("token"), data.get("user")
    if not isinstance(token, str) or not token or not isinstance(user, dict):
        raise HubResponseError("The answer to the sign-in has no token: check the hub address.")
    return LoginResult(token=token, username=str(user.get("name") or username), admin=bool(user.get("admin")))


async def logout(hub_url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT, ssl: Any = True) -> None:
    """Revoke the device token on the hub. A token the hub no longer knows counts as revoked."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(f"{hub_url}/api/logout", headers=headers, ssl=ssl) as response,
        ):
            if response.status in {200, 204, 401}:
                return
            raise HubResponseError(f"The hub answered the sign-out with HTTP {response.status}.")
    except aiohttp.ClientError as exc:
        problem = await certificate_error(exc, hub_url)
        if problem is not None:
            raise problem from exc
        raise _unreachable(hub_url, exc) from exc
    except TimeoutError as exc:
        raise _unreachable(hub_url, exc) from exc
