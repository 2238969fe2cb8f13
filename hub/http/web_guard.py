"""What a browser may do with the hub: the host names it answers to, and the origins it serves.

- **Allowed hosts (DNS rebinding).** A page on any site can make its own name resolve to the hub's
  LAN address and then talk to the hub as if from that site's origin, which passes an origin check.
  The `Host` header still carries the site's name, so the hub answers only requests whose `Host` is
  an IP address, `localhost`, one of this machine's names (its host name, `NAME.local`, its fully
  qualified name), a name in the TLS certificate, the `host` setting, or a name in `allowed_hosts`
  (`.lan` for a domain, `*` for any). Others get 403 `forbidden`, on every route and on Socket.IO.
- **Origins (CORS).** A request with an `Origin` header is served when that origin is the hub
  itself, or in `cors_origins`; otherwise 403 `forbidden` (Socket.IO refuses it the same way, with
  engine.io's own 400). Preflights (`OPTIONS`) to `/api/...` from an allowed origin are answered, and
  answers to an allowed origin carry `Access-Control-Allow-Origin`, so a web app there can sign in
  and send.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path

from aiohttp import web

from hub.config import HubConfig
from hub.errors import Forbidden

log = logging.getLogger(__name__)

#: What a cross-origin page may send to the HTTP API.
ALLOWED_METHODS = "GET, POST, DELETE"
ALLOWED_HEADERS = (
    "Authorization, Content-Type, X-Type, X-Title, X-Priority, X-Click, X-Actions, X-Markdown, X-Key,"
    " Title, Priority, Click, Actions, Markdown"
)
PREFLIGHT_MAX_AGE = "600"
#: How long finding this machine's fully qualified name may take at start (a DNS query).
NAME_LOOKUP_SECONDS = 2.0


def host_name(header: str) -> str:
    """The host of a `Host` header, lowercase, without port or trailing dot ('[::1]:80' -> '::1')."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header[1:]
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone ('fe80::1%eth0') is not part of the address
    except ValueError:
        return False
    return True


class WebGuard:
    """The allowed hosts and origins of one hub."""

    def __init__(self, config: HubConfig, machine_names: Iterable[str] = ()) -> None:
        self._any_host = "*" in config.allowed_hosts
        names = {n.lower().rstrip(".") for n in config.allowed_hosts if not n.startswith(".") and n != "*"}
        names.update(n.lower().rstrip(".") for n in machine_names if n)
        if config.host and not _is_ip(config.host):
            names.add(config.host.lower())
        self.names = frozenset(names)
        self._domains = tuple(d.lower().rstrip(".") for d in config.allowed_hosts if d.startswith("."))
        self._any_origin = "*" in config.cors_origins
        self._origins = frozenset(o.rstrip("/") for o in config.cors_origins)

    # ------------------------------------------------------------------ hosts

    def host_allowed(self, header: str | None) -> bool:
        if header is None or self._any_host:
            return True  # a browser always sends Host: a request without one is not a rebinding page
        host = host_name(header)
        if _is_ip(host) or host == "localhost" or host.endswith(".localhost") or host in self.names:
            return True
        return any(host.endswith(domain) for domain in self._domains)

    def check_host(self, headers: Mapping[str, str]) -> None:
        header = headers.get("Host")
        if not self.host_allowed(header):
            shown = host_name(header or "")[:100]
            raise Forbidden(f"this hub does not answer to the name {shown!r}: add it to allowed_hosts")

    # ------------------------------------------------------------------ origins

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        origin = origin.rstrip("/")
        if self._any_origin or origin in self._origins:
            return True
        # The hub's own pages: the origin's host and port are the ones the request was sent to.
        return host is not None and origin.split("://", 1)[-1].lower() == host.strip().lower()

    def check_origin(self, request: web.BaseRequest) -> None:
        origin = request.headers.get("Origin")
        if origin is not None and not self.origin_allowed(origin, request.headers.get("Host")):
            raise Forbidden(f"pages from {origin[:100]!r} may not use this hub: add the origin to cors_origins")

    def cors_headers(self, request: web.BaseRequest) -> dict[str, str]:
        """`Access-Control-Allow-Origin` for an answer to a cross-origin page that may read it."""
        origin = request.headers.get("Origin")
        if origin is None or not (self._any_origin or origin.rstrip("/") in self._origins):
            return {}
        return {
            "Access-Control-Allow-Origin": "*" if self._any_origin else origin,
            "Access-Control-Expose-Headers": "Retry-After",  # a page may read when to try again
            "Vary": "Origin",
        }

    def preflight(self, request: web.Request) -> web.Response:
        """The answer to `OPTIONS /api/...`: what a page from an allowed origin may send (its host and
        origin are checked first, as for every route, by `hub.http.errors.json_errors`)."""
        headers = self.cors_headers(request)
        if not headers:
            raise Forbidden("CORS preflight from an origin that is not in cors_origins")
        headers |= {
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        return web.Response(status=204, headers=headers)


def local_names() -> set[str]:
    """This machine's host name, its first label and NAME.local (no DNS query)."""
    name = socket.gethostname().lower().rstrip(".")
    short = name.split(".", 1)[0]
    return {n for n in (name, short, short + ".local") if n}


def looked_up_names(config: HubConfig) -> set[str]:
    """This machine's fully qualified name (may ask DNS: run it off the event loop) and the DNS
    names in the hub's TLS certificate."""
    names = {socket.getfqdn().lower().rstrip(".")}
    if config.tls_cert:
        names.update(_certificate_names(Path(config.tls_cert)))
    return {n for n in names if n}


async def learn_names(guard: WebGuard, config: HubConfig) -> None:
    """Add `looked_up_names` to the guard; without DNS the local names will do."""
    try:
        names = await asyncio.wait_for(asyncio.to_thread(looked_up_names, config), NAME_LOOKUP_SECONDS)
    except (OSError, TimeoutError) as exc:
        log.info("could not look up this machine's full name (%s): it answers to %s", exc, sorted(guard.names))
        return
    guard.names |= names


def _certificate_names(path: Path) -> set[str]:
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        alternatives = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return set()
    return {n.lower() for n in alternatives.get_values_for_type(x509.DNSName)}
