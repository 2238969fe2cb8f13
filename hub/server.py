"""Running the hub: on a loopback port for tests and the tray app, or in the foreground for `serve`."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from aiohttp import web

from hub import tls
from hub.admission import connection_limit, open_files, raise_file_limit
from hub.app import create_app
from hub.config import CannotListen, HubConfig
from hub.listener import GATE, GatedRunner
from hub.runtime import tune_gc

log = logging.getLogger(__name__)

LINGERING_SECONDS = 1.0


class RunningHub:
    """A hub listening on a TCP port; `start()` returns its base URL (port 0 picks a free port)."""

    def __init__(self, config: HubConfig, *, shutdown_timeout: float = 5.0) -> None:
        self.config = config
        self.app = create_app(config)
        self._runner = GatedRunner(
            self.app,
            shutdown_timeout=shutdown_timeout,
            handle_signals=False,
            # aiohttp's idle timer also runs from the moment a connection opens and while a request's
            # headers arrive: a connection that sends nothing, or trickles its headers, is closed.
            keepalive_timeout=config.http_idle_timeout,
            # A refused request's unread body is read and thrown away for at most this long (so the
            # client sees the answer before the connection closes), not aiohttp's 10 s.
            lingering_time=LINGERING_SECONDS,
        )
        self.url = ""

    async def start(self) -> str:
        ssl_context = None
        if self.config.tls_cert:
            ssl_context = tls.server_context(Path(self.config.tls_cert), Path(self.config.tls_key))
        await self._runner.setup()
        self._set_connection_limit()
        site = web.TCPSite(self._runner, self.config.host, self.config.port, ssl_context=ssl_context)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()  # the store and the background tasks setup() started
            raise CannotListen(exc.errno, exc.strerror or str(exc)) from exc
        host, port = self._runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"{'https' if ssl_context else 'http'}://{shown}:{port}"
        return self.url

    async def stop(self) -> None:
        await self._runner.cleanup()

    def _set_connection_limit(self) -> None:
        """The soft open-file limit raised to the hard one, and the connections it leaves room for."""
        before, limit = raise_file_limit()
        gate = self.app[GATE]
        gate.max_connections = connection_limit(self.config, limit, open_files())
        raised = f" (raised from {before})" if limit > before else ""
        log.info("open-file limit %d%s: serving up to %d connections", limit, raised, gate.max_connections)


async def serve(config: HubConfig) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully."""
    hub = RunningHub(config)
    url = await hub.start()
    tune_gc()
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
        log.info("lan-notify hub stopped")
