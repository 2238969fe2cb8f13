"""The fingerprint helpers the desktop client reuses: strict parsing, constant-time matching, no silent bypass."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
import pytest

from hub import tls
from hub.errors import FingerprintError

DER = b"not really a certificate, but bytes to hash"
FP = tls.fingerprint(DER)


@pytest.mark.parametrize(
    "text", [FP, FP.lower(), FP.replace(":", ""), "sha256:" + FP, " " + FP.replace(":", " ") + " "]
)
def test_fingerprints_are_accepted_in_the_usual_spellings(text: str) -> None:
    assert tls.fingerprint_matches(DER, text)


@pytest.mark.parametrize("text", ["", "abc", FP[:-3], FP + ":00", "zz" * 32])
def test_malformed_fingerprints_are_refused(text: str) -> None:
    with pytest.raises(FingerprintError):
        tls.parse_fingerprint(text)


def test_client_ssl_always_verifies_one_way_or_another(tmp_path: Path) -> None:
    assert isinstance(tls.client_ssl(fingerprint=FP), aiohttp.Fingerprint)
    assert tls.client_ssl() is True
    cert_pem, _ = tls.self_signed(["hub.lan"])
    path = tmp_path / "cert.pem"
    path.write_bytes(cert_pem)
    context = tls.client_ssl(ca_file=path)
    assert isinstance(context, ssl.SSLContext) and context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
