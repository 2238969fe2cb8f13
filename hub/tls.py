"""TLS for a LAN hub: server contexts, self-signed certificates, and certificate pinning.

A hub on a LAN rarely has a certificate from a public CA. Clients then trust it in one of two
explicit ways, never by turning verification off silently:

- a CA file (`--ca-file`): the self-signed certificate itself, or the LAN's own CA; the usual
  chain and host-name checks apply;
- a pinned SHA-256 fingerprint of the hub's certificate (`--fingerprint`), as printed by
  `notify-hub tls self-signed`: the connection is refused unless the hub presents exactly that
  certificate.

The fingerprint helpers are plain functions so the desktop client can reuse them for its
trust-on-first-use prompt (`peer_certificate` fetches the certificate to show its fingerprint;
the client must then pin it, not trust the connection that fetched it).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import ssl
from collections.abc import Sequence
from pathlib import Path

from aiohttp import Fingerprint

from hub.errors import FingerprintError, NoCertificate, TlsConfigError
from hub.filemodes import warn_if_readable


def fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate as `AB:CD:...` (what `openssl x509 -fingerprint` prints)."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def parse_fingerprint(text: str) -> bytes:
    """Accept `AB:CD:..`, `abcd..`, with or without a `sha256:` prefix or spaces; return the 32 bytes."""
    cleaned = text.strip()
    if cleaned.lower().startswith("sha256:"):
        cleaned = cleaned[7:]
    cleaned = cleaned.replace(":", "").replace(" ", "")
    try:
        digest = bytes.fromhex(cleaned)
    except ValueError:
        raise FingerprintError(f"not a SHA-256 fingerprint (hex digits): {text!r}") from None
    if len(digest) != 32:
        raise FingerprintError(f"a SHA-256 fingerprint has 32 bytes (64 hex digits), this one {len(digest)}")
    return digest


def fingerprint_matches(der: bytes, pinned: str | bytes) -> bool:
    """True when the DER certificate has the pinned fingerprint (compared in constant time)."""
    expected = pinned if isinstance(pinned, bytes) else parse_fingerprint(pinned)
    return hmac.compare_digest(hashlib.sha256(der).digest(), expected)


def pem_to_der(pem: bytes) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem.decode("ascii"))


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The hub's TLS context; a clear `TlsConfigError` when the files cannot be used."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    for path in (cert, key):
        if not path.is_file():
            raise TlsConfigError(f"TLS: cannot read {path}: no such file")
    warn_if_readable(key, "the TLS key")
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise TlsConfigError(f"TLS: cannot use certificate {cert} with key {key}: {exc}") from None
    return context


def client_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A verifying client context: the system's CAs, or only `ca_file` when given."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise TlsConfigError(f"TLS: cannot use CA file {ca_file}: {exc}") from None


def client_ssl(ca_file: Path | None = None, fingerprint: str | None = None) -> ssl.SSLContext | Fingerprint | bool:
    """The `ssl=` argument for an aiohttp client (or its `TCPConnector`, e.g. under python-socketio).

    A pinned fingerprint wins; else a CA file; else `True` (the system's CAs). Never "unverified".
    """
    if fingerprint:
        return Fingerprint(parse_fingerprint(fingerprint))
    if ca_file is not None:
        return client_context(ca_file)
    return True


async def peer_certificate(host: str, port: int, *, timeout: float = 10.0) -> bytes:
    """The DER certificate a TLS server presents, read WITHOUT trusting it: only to show its fingerprint."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    _, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=context), timeout)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
    if not der:
        raise NoCertificate(f"{host}:{port} presented no certificate")
    return bytes(der)


def self_signed(hosts: Sequence[str], *, days: int = 825) -> tuple[bytes, bytes]:
    """A self-signed certificate for the given host names / IP addresses: `(cert_pem, key_pem)`."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if not hosts:
        raise ValueError("name at least one host")
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0][:64])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert_pem, key_pem
