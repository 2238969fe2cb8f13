"""Running the hub: on a loopback port for tests and the tray app, or in the foreground for `serve`."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from aiohttp import web

from hub.app import create_app
from hub.config import HubConfig

log = logging.getLogger(__name__)


class RunningHub:
    """A hub listening on a TCP port; `start()` returns its base URL (port 0 picks a free port)."""

    def __init__(self, config: HubConfig, *, shutdown_timeout: float = 5.0) -> None:
        self.config = config
        self.app = create_app(config)
        self._runner = web.AppRunner(self.app, shutdown_timeout=shutdown_timeout, handle_signals=False)
        self.url = ""

    async def start(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}"
        return self.url

    async def stop(self) -> None:
        await self._runner.cleanup()


async def serve(config: HubConfig) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully."""
    hub = RunningHub(config)
    url = await hub.start()
    print(f"lan-notify hub listening on {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log.info("stopping: finishing accepted notifications and closing connections")
    finally:
        await hub.stop()
        print("lan-notify hub stopped", file=sys.stderr, flush=True)
