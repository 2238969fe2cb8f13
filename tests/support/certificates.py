"""TLS for the desktop tests: a self-signed certificate on disk, a real hub that serves it, and a sender
(bob) that trusts it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.net.tls import session_factory
from hub import tls
from tests.support.clients import Client
from tests.support.hubs import Hub


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    fingerprint: str


def make_certificate(directory: Path, *hosts: str) -> Certificate:
    directory.mkdir(parents=True, exist_ok=True)
    cert_pem, key_pem = tls.self_signed(list(hosts) or ["127.0.0.1"])
    (directory / "cert.pem").write_bytes(cert_pem)
    (directory / "key.pem").write_bytes(key_pem)
    return Certificate(directory / "cert.pem", directory / "key.pem", tls.fingerprint(tls.pem_to_der(cert_pem)))


async def tls_hub(hub_factory: Any, certificate: Certificate) -> Hub:
    hub: Hub = await hub_factory(tls_cert=str(certificate.cert), tls_key=str(certificate.key))
    assert hub.url.startswith("https://")
    await hub.user("alice", password="wonderland")
    await hub.user("bob", admin=True)
    return hub


async def sender(hub: Hub, certificate: Certificate) -> Client:
    ssl = tls.client_ssl(certificate.cert)
    bob = Client(hub.url, "bob", http_session=session_factory(ssl))
    hub.clients.append(bob)
    await bob.connect({"token": await hub.token("bob")})
    await bob.next("welcome")
    return bob
