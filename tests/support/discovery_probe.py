"""Run inside a network namespace by tests/desktop/test_discovery.py: the tray app's discovery code
(`desktop.net.discovery.HubBrowser`) on the namespace's loopback, printing each change of the list of
hubs as one JSON line. The first line lists the namespace's network interfaces. Standard input
closing stops it."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict

import ifaddr

from desktop.net.discovery import HubBrowser


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


async def main() -> None:
    emit(interfaces=sorted(adapter.nice_name for adapter in ifaddr.get_adapters()))
    browser = HubBrowser(lambda hubs: emit(hubs=[{**asdict(h), "url": h.url} for h in hubs]))
    await browser.start()
    emit(browsing=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our standard input
    await browser.stop()


if __name__ == "__main__":
    asyncio.run(main())
