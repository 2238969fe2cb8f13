"""Announcing the hub on the LAN by multicast DNS / DNS-SD (`_lan-notify._tcp`), with python-zeroconf.

The tray app's sign-in dialog lists the hubs it hears (`desktop.net.discovery`), so a teammate picks
one instead of typing an address. The announcement says:

- the instance name: `announce_name`, or "lan-notify on HOSTNAME";
- the addresses and port the hub listens on;
- TXT `tls=1` or `tls=0`, and over TLS `fp=` the SHA-256 fingerprint of its certificate (as
  `notify-hub tls self-signed` prints it), `version=` and `path=/`.

mDNS is not authenticated: anyone on the LAN can announce anything. The tray app therefore pins an
announced fingerprint only after the user has compared it with the one the hub's owner reads out.

Only a hub reachable from the LAN is announced: one listening on every interface (the addresses of
this machine's interfaces, loopback only when there is nothing else) or on one LAN address. A hub
on a loopback address (the default 127.0.0.1) or a host name is not. Registering (which probes for
a name clash and may take a second) runs as a task of its own; the hub serves meanwhile. On stop
the hub says goodbye, so browsers drop it at once. Everything runs on the hub's event loop through
python-zeroconf's asyncio API; the one blocking call, listing the interfaces, runs on a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket

import ifaddr
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from hub import __version__
from hub.config import HubConfig

log = logging.getLogger(__name__)

SERVICE_TYPE = "_lan-notify._tcp.local."
#: TXT keys (part of what the tray app reads: keep them stable).
TXT_TLS, TXT_FINGERPRINT, TXT_VERSION, TXT_PATH = "tls", "fp", "version", "path"
_STOP_TIMEOUT = 3.0
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def _interface_addresses() -> list[str]:
    """This machine's IPv4 addresses, LAN ones first; loopback only when there is no other."""
    found = {ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips if ip.is_IPv4}
    lan = sorted(str(a) for a in found if not ipaddress.ip_address(str(a)).is_loopback)
    return lan or sorted(str(a) for a in found)


def announced_addresses(host: str) -> list[str]:
    """The IPv4 addresses to announce for a hub listening on `host`; [] when the LAN cannot reach it."""
    if host in _WILDCARDS:
        return _interface_addresses()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return []  # a host name: which interface it means is not ours to guess
    if address.version != 4 or address.is_loopback or address.is_unspecified:
        return []
    return [str(address)]


def default_name() -> str:
    return f"lan-notify on {socket.gethostname().split('.')[0] or 'this computer'}"


def _instance_name(config: HubConfig) -> str:
    name = (config.announce_name.strip() or default_name()).replace(".", " ")
    return name.encode("utf-8")[:63].decode("utf-8", "ignore")  # a DNS label holds 63 bytes


class Announcer:
    """The hub's announcement; `start()` returns at once, `stop()` says goodbye and closes."""

    def __init__(self, config: HubConfig, port: int, fingerprint: str = "") -> None:
        self.config = config
        self.port = port
        self.fingerprint = fingerprint
        self.name = _instance_name(config)
        self._zeroconf: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None
        self._task: asyncio.Task[None] | None = None
        #: Set once the announcement went out (or was given up): for tests and `notify-hub serve`'s log.
        self.settled = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._announce(), name="mdns-announce")

    def _properties(self) -> dict[str, str]:
        tls = bool(self.config.tls_cert)
        props = {TXT_TLS: "1" if tls else "0", TXT_VERSION: __version__, TXT_PATH: "/"}
        if tls and self.fingerprint:
            props[TXT_FINGERPRINT] = self.fingerprint
        return props

    async def _announce(self) -> None:
        try:
            addresses = await asyncio.to_thread(announced_addresses, self.config.host)
            if not addresses:
                log.info("announce: not announced on the LAN (the hub listens on %s only)", self.config.host)
                return
            self._zeroconf = AsyncZeroconf(interfaces=addresses, ip_version=IPVersion.V4Only)
            host = socket.gethostname().split(".")[0] or "lan-notify"
            self._info = AsyncServiceInfo(
                SERVICE_TYPE,
                f"{self.name}.{SERVICE_TYPE}",
                port=self.port,
                properties=self._properties(),
                server=f"{host}.local.",
                parsed_addresses=addresses,
            )
            registered = await self._zeroconf.async_register_service(self._info, allow_name_change=True)
            await registered
            log.info(
                "announce: on the LAN as %r (%s, port %d, %s)",
                self._info.name.removesuffix("." + SERVICE_TYPE),
                ", ".join(addresses),
                self.port,
                "TLS" if self.config.tls_cert else "no TLS",
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the announcement is a convenience: the hub serves whatever happens to it
            log.warning("announce: could not announce the hub on the LAN (%s); it serves as usual", exc)
        finally:
            self.settled.set()

    async def update_fingerprint(self, fingerprint: str) -> None:
        """The certificate changed (SIGHUP): announce the new fingerprint."""
        self.fingerprint = fingerprint
        if self._zeroconf is None or self._info is None or not self.settled.is_set():
            return
        info = AsyncServiceInfo(
            SERVICE_TYPE,
            self._info.name,
            port=self.port,
            properties=self._properties(),
            server=self._info.server,
            parsed_addresses=self._info.parsed_addresses(),
        )
        with contextlib.suppress(OSError):
            await (await self._zeroconf.async_update_service(info))
            self._info = info

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        zeroconf, self._zeroconf = self._zeroconf, None
        if zeroconf is None:
            return
        try:
            # Goodbyes (TTL 0) first, so that browsers drop the hub now rather than when the record expires.
            await asyncio.wait_for(zeroconf.async_close(), _STOP_TIMEOUT)
        except (TimeoutError, OSError) as exc:
            log.warning("announce: goodbye not sent (%s)", exc)
