"""`notify-hub tls self-signed`: a certificate and key for a hub on a LAN, and its fingerprint."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from hub import tls
from hub.filemodes import open_private


def add_parser(commands: Any) -> None:
    group = commands.add_parser("tls", help="TLS helpers (a self-signed certificate for a LAN hub)")
    actions = group.add_subparsers(dest="action", required=True)
    make = actions.add_parser(
        "self-signed",
        help="write cert.pem and key.pem for the hub and print the certificate's SHA-256 fingerprint",
    )
    make.add_argument(
        "--host",
        action="append",
        required=True,
        metavar="NAME",
        help="a host name or IP address clients use to reach the hub (repeat for several)",
    )
    make.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="directory to write into (default: current)"
    )
    make.add_argument("--days", type=int, default=825, help="validity in days (default 825)")
    make.add_argument("--force", action="store_true", help="overwrite existing cert.pem / key.pem")
    make.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    cert_path, key_path = out / "cert.pem", out / "key.pem"
    if not args.force and (cert_path.exists() or key_path.exists()):
        print(f"notify-hub: {cert_path} or {key_path} exists; pass --force to replace them", file=sys.stderr)
        return 1
    cert_pem, key_pem = tls.self_signed(args.host, days=args.days)
    out.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert_pem)
    with os.fdopen(open_private(key_path), "wb") as key_file:  # 0600 also when --force replaces a key
        key_file.write(key_pem)
    print(f"wrote {cert_path} and {key_path} (for {', '.join(args.host)})", file=sys.stderr)
    print(f"serve with: notify-hub serve --tls-cert {cert_path} --tls-key {key_path}", file=sys.stderr)
    print("clients pin this SHA-256 fingerprint (notify-hub send --fingerprint ...):", file=sys.stderr)
    print(tls.fingerprint(tls.pem_to_der(cert_pem)))
    return 0
