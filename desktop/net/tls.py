"""TLS for the tray app's connections to a hub: which certificate to trust, and why one was refused. No Qt.

The rules (`hub.tls.client_ssl`, shared with `notify-hub send`): a fingerprint pinned for the hub
wins; else the CA file the user chose; else the system's CAs. Verification is never switched off.
A refusal becomes a `CertificateUntrustedError` (with the fingerprint the hub presented, fetched
without trusting it, for the trust-on-first-use prompt) or a `CertificateChangedError` (not the
pinned certificate); the decision itself lives in `desktop.core.trust`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from desktop.core.trust import MemoryPins, PinStore, host_port
from desktop.errors import CertificateChangedError, CertificateError, CertificateUntrustedError, HubUnreachableError
from hub import tls

log = logging.getLogger(__name__)

#: What aiohttp's `ssl=` takes: True (system CAs), an `ssl.SSLContext` (a CA file) or an `aiohttp.Fingerprint`.
SSLArg = Any


@dataclass
class HubTrust:
    """The user's TLS choices: a CA file (or none: the system's CAs) and the pinned fingerprints."""

    ca_file: Path | None = None
    pins: PinStore | None = None

    def ssl_for(self, hub_url: str) -> SSLArg:
        """The `ssl=` argument for aiohttp connections to this hub (`True` for plain http)."""
        if not hub_url.lower().startswith("https://"):
            return True
        pinned = (self.pins or MemoryPins()).pinned(hub_url)
        return tls.client_ssl(self.ca_file, pinned)


def _hex(digest: bytes) -> str:
    return ":".join(f"{b:02X}" for b in digest)


async def certificate_error(exc: BaseException, hub_url: str) -> CertificateError | None:
    """The certificate problem behind an aiohttp error, or None when it was something else.

    For an unverifiable certificate the hub's fingerprint is read again, without trusting the
    connection, so the user can compare it (`hub.tls.peer_certificate`).
    """
    if isinstance(exc, aiohttp.ServerFingerprintMismatch):
        got, pinned = _hex(exc.got), _hex(exc.expected)
        return CertificateChangedError(
            f"refused: the hub's certificate has fingerprint {got}, not the pinned {pinned}",
            hub_url=hub_url,
            fingerprint=got,
            pinned=pinned,
        )
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        reason = getattr(exc.certificate_error, "verify_message", "") or str(exc.certificate_error)
        host, port = host_port(hub_url)
        try:
            der = await tls.peer_certificate(host, port)
        except (OSError, TimeoutError) as fetch:
            raise HubUnreachableError(f"cannot read the certificate of the hub at {hub_url} ({fetch})") from fetch
        return CertificateUntrustedError(
            f"cannot verify the hub's certificate ({reason})",
            hub_url=hub_url,
            fingerprint=tls.fingerprint(der),
            reason=reason,
        )
    return None


async def probe(hub_url: str, ssl: SSLArg, *, timeout: float = 10.0) -> None:
    """Raise the `CertificateError` a connection to the hub meets now, if any (other failures: nothing).

    The Socket.IO client loses the cause of a failed connect; after one, this tells a certificate
    refusal (stop and ask the user) from a hub that is down (retry).
    """
    if not hub_url.lower().startswith("https://"):
        return
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
            http.get(f"{hub_url}/api/health", ssl=ssl) as response,
        ):
            await response.read()
    except aiohttp.ClientError as exc:
        problem = await certificate_error(exc, hub_url)
        if problem is not None:
            raise problem from exc
    except TimeoutError:
        return


def session_factory(ssl: SSLArg) -> Callable[[], aiohttp.ClientSession]:
    """An `http_session` factory for `socketio.AsyncClient`: every request and the WebSocket use `ssl`."""

    def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl))

    return make
