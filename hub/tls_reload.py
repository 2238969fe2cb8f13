"""The hub's TLS certificate, read again on SIGHUP (a renewed certificate) without a restart.

The listener keeps one `SSLContext` for its whole life. Its SNI callback, which OpenSSL calls for
every handshake (with or without a server name), hands each new connection the newest context;
`reload()` builds that context on a worker thread (reading the files never blocks the loop), so a
certificate or key that cannot be used is reported and the current one stays in service.
Connections already open keep the certificate they were made with.
"""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from hub import tls


def certificate_fingerprint(cert: Path) -> str:
    """The SHA-256 fingerprint of the first certificate of a PEM file (what clients pin)."""
    return tls.fingerprint(tls.pem_to_der(cert.read_bytes()))


def _load(cert: Path, key: Path) -> tuple[ssl.SSLContext, str]:
    context = tls.server_context(cert, key)  # a ConfigError names the file that cannot be used
    return context, certificate_fingerprint(cert)


class ReloadableCertificate:
    def __init__(self, cert: Path, key: Path) -> None:
        self.cert = cert
        self.key = key
        self._current, self.fingerprint = _load(cert, key)
        self.context = tls.server_context(cert, key)  # the listener's; it only dispatches
        self.context.sni_callback = self._choose

    def _choose(self, connection: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext) -> None:
        connection.context = self._current

    async def reload(self) -> str:
        """Read the certificate and key again; returns the new fingerprint (ConfigError: the old one stays)."""
        self._current, self.fingerprint = await asyncio.to_thread(_load, self.cert, self.key)
        return self.fingerprint
