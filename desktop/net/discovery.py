"""Hubs found on the LAN: what hubs announce by mDNS/DNS-SD (`hub.announce`), as a list. No Qt.

`HubBrowser` listens for `_lan-notify._tcp` services with python-zeroconf's asyncio API on the
running loop, looks each one up (name, address, port, TLS, certificate fingerprint) in a task it
owns, and calls `on_change` with the whole list, sorted by name, whenever it changes: a hub that
starts appears, one that stops (and says goodbye) or whose record expires disappears.

What a hub announces is not authenticated (anyone on the LAN can announce anything), so an
announced fingerprint is only a hint: the app pins a certificate only when the user has compared
it with the one the hub's owner reads out (`desktop.core.trust`).

`LAN_NOTIFY_DISCOVERY=false` in the environment turns browsing off (the tests do, so that no test
sends mDNS queries on the machine's own network).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from zeroconf import InterfaceChoice, IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from hub.announce import SERVICE_TYPE, TXT_FINGERPRINT, TXT_TLS, TXT_VERSION

log = logging.getLogger(__name__)

DISCOVERY_ENV = "LAN_NOTIFY_DISCOVERY"
LOOKUP_TIMEOUT_MS = 3000


def discovery_enabled(env: dict[str, str] | None = None) -> bool:
    value = (os.environ if env is None else env).get(DISCOVERY_ENV, "").strip().lower()
    return value not in {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class FoundHub:
    name: str  # as announced, e.g. "lan-notify on office-pc"
    address: str
    port: int
    tls: bool
    fingerprint: str  # over TLS, the announced SHA-256 fingerprint ("" when none was given)
    version: str

    @property
    def url(self) -> str:
        shown = f"[{self.address}]" if ":" in self.address else self.address
        return f"{'https' if self.tls else 'http'}://{shown}:{self.port}"

    @property
    def label(self) -> str:
        """One line for a list: name, address, and whether it is encrypted."""
        return f"{self.name}  ({self.address}:{self.port}, {'TLS' if self.tls else 'no TLS'})"


def _text(properties: dict[bytes, bytes | None], key: str) -> str:
    value = properties.get(key.encode())
    return value.decode("utf-8", "replace") if value else ""


def found_hub(info: AsyncServiceInfo) -> FoundHub | None:
    """A looked-up announcement as a `FoundHub`; None when it lacks an IPv4 address or a port."""
    addresses = info.parsed_addresses(IPVersion.V4Only)
    if not addresses or not info.port:
        return None
    properties = info.properties
    return FoundHub(
        name=info.name.removesuffix("." + SERVICE_TYPE),
        address=addresses[0],
        port=int(info.port),
        tls=_text(properties, TXT_TLS) == "1",
        fingerprint=_text(properties, TXT_FINGERPRINT),
        version=_text(properties, TXT_VERSION),
    )


class HubBrowser:
    def __init__(
        self,
        on_change: Callable[[list[FoundHub]], None],
        *,
        interfaces: InterfaceChoice | Sequence[str] = InterfaceChoice.All,
    ) -> None:
        self.on_change = on_change
        self.interfaces = interfaces
        self._found: dict[str, FoundHub] = {}
        self._zeroconf: AsyncZeroconf | None = None
        self._browser: AsyncServiceBrowser | None = None
        self._lookups: set[asyncio.Task[None]] = set()

    @property
    def hubs(self) -> list[FoundHub]:
        return sorted(self._found.values(), key=lambda hub: (hub.name.lower(), hub.address, hub.port))

    @property
    def running(self) -> bool:
        return self._zeroconf is not None

    async def start(self) -> None:
        if self._zeroconf is not None:
            return
        interfaces: Any = self.interfaces if isinstance(self.interfaces, InterfaceChoice) else list(self.interfaces)
        self._zeroconf = AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
        self._browser = AsyncServiceBrowser(self._zeroconf.zeroconf, SERVICE_TYPE, handlers=[self._changed])

    def _changed(self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        # Called on the event loop by zeroconf's browser.
        if state_change is ServiceStateChange.Removed:
            if self._found.pop(name, None) is not None:
                self.on_change(self.hubs)
            return
        task = asyncio.get_running_loop().create_task(self._look_up(service_type, name))
        self._lookups.add(task)
        task.add_done_callback(self._lookups.discard)

    async def _look_up(self, service_type: str, name: str) -> None:
        if self._zeroconf is None:
            return
        info = AsyncServiceInfo(service_type, name)
        if not await info.async_request(self._zeroconf.zeroconf, LOOKUP_TIMEOUT_MS):
            log.debug("discovery: no answer for %s", name)
            return
        hub = found_hub(info)
        if hub is None or self._zeroconf is None or self._found.get(name) == hub:
            return
        self._found[name] = hub
        self.on_change(self.hubs)

    async def stop(self) -> None:
        for task in list(self._lookups):
            task.cancel()
        for task in list(self._lookups):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        browser, self._browser = self._browser, None
        zeroconf, self._zeroconf = self._zeroconf, None
        if browser is not None:
            await browser.async_cancel()
        if zeroconf is not None:
            await zeroconf.async_close()
        self._found.clear()
