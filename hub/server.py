"""Running the hub: on a loopback port for tests and the tray app, or in the foreground for `serve`.

`serve` is what a service manager runs: it tells systemd when it is ready, reloading and stopping
(`hub.sd_notify`), reads its TLS certificate again on SIGHUP, and stops cleanly on SIGINT/SIGTERM.

Process-level tuning for `notify-hub serve`: the event loop and the garbage collector.

- uvloop, where installed (Linux, macOS), runs the hub's event loop (`loop_factory`): less overhead
  per socket operation. The tray app hosts its hub on qasync's loop instead.
- The cyclic garbage collector (`hub.heap.HeapKeeper`): at thousands of connections its full
  collections dominated CPU time. The long-lived heap is frozen out of collection after start-up
  and after each connect wave, generation 0 is collected less often, and full collections are timed
  (logged when the hub stops).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from hub import sd_notify
from hub.announce import Announcer
from hub.app import create_app
from hub.app_keys import ACCOUNTS, GATE, SERVICE, STORE
from hub.auth import Accounts
from hub.config import HubConfig
from hub.errors import CannotListen, ConfigError
from hub.heap import HeapKeeper
from hub.store import Store
from hub.tls_reload import ReloadableCertificate
from hub.transport import GatedRunner, connection_limit, open_files, raise_file_limit

log = logging.getLogger(__name__)

LINGERING_SECONDS = 1.0
#: Connections the kernel queues for the hub to accept (clamped to net.core.somaxconn, 4096 on Linux
#: since 5.4). aiohttp's default, 128, overflowed when a restarted hub's devices all came back at
#: once: the kernel dropped their SYNs, and each dropped client waited for TCP's retransmission
#: (1 s, then 3, 7, 15...) on top of its own reconnection delay.
LISTEN_BACKLOG = 4096


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
        self.certificate: ReloadableCertificate | None = None
        self.announcer: Announcer | None = None

    async def start(self) -> str:
        if self.config.tls_cert:
            self.certificate = ReloadableCertificate(Path(self.config.tls_cert), Path(self.config.tls_key))
        ssl_context = self.certificate.context if self.certificate else None
        await self._runner.setup()
        self._set_connection_limit()
        site = web.TCPSite(
            self._runner, self.config.host, self.config.port, ssl_context=ssl_context, backlog=LISTEN_BACKLOG
        )
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()  # the store and the background tasks setup() started
            raise CannotListen(exc.errno, exc.strerror or str(exc)) from exc
        host, port = self._runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"{'https' if ssl_context else 'http'}://{shown}:{port}"
        if self.config.announce:
            self.announcer = Announcer(self.config, port, self.certificate.fingerprint if self.certificate else "")
            self.announcer.start()
        return self.url

    async def reload(self) -> None:
        """Read the TLS certificate and key again (SIGHUP); a pair that cannot be used leaves the current one."""
        if self.certificate is None:
            log.info("reload: nothing to reload (no TLS); other settings take effect on a restart")
            return
        try:
            fingerprint = await self.certificate.reload()
        except (ConfigError, OSError, ValueError) as exc:
            log.error("reload: kept the current TLS certificate: %s", exc)
            return
        log.info("reload: TLS certificate read again from %s (SHA-256 %s)", self.certificate.cert, fingerprint)
        if self.announcer is not None:
            await self.announcer.update_fingerprint(fingerprint)

    async def stop(self) -> None:
        if self.announcer is not None:
            await self.announcer.stop()
        await self._runner.cleanup()

    @property
    def store(self) -> Store:
        """The hub's store, from `start()` on."""
        if STORE not in self.app:
            raise RuntimeError("the hub is not running")
        return self.app[STORE]

    @property
    def accounts(self) -> Accounts:
        """The hub's accounts (users, passwords, tokens), from `start()` on."""
        if ACCOUNTS not in self.app:
            raise RuntimeError("the hub is not running")
        return self.app[ACCOUNTS]

    def _set_connection_limit(self) -> None:
        """The soft open-file limit raised to the hard one, and the connections it leaves room for."""
        before, limit = raise_file_limit()
        gate = self.app[GATE]
        gate.max_connections = connection_limit(self.config, limit, open_files())
        raised = f" (raised from {before})" if limit > before else ""
        log.info("open-file limit %d%s: serving up to %d connections", limit, raised, gate.max_connections)


async def serve(config: HubConfig) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully. SIGHUP reloads the TLS certificate."""
    hub = RunningHub(config)
    url = await hub.start()
    presence = hub.app[SERVICE].presence
    heap = HeapKeeper(lambda: len(presence), lambda: presence.departures)
    heap.start()
    heap_task = asyncio.create_task(heap.run(), name="hub-heap")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[None]] = set()

    async def reload() -> None:
        sd_notify.notify(*sd_notify.reloading())
        try:
            await hub.reload()
        finally:
            sd_notify.notify("READY=1", f"STATUS=listening on {url}")

    def on_hangup() -> None:
        task = loop.create_task(reload())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    # Ready only once a SIGTERM would stop it gracefully.
    print(f"lan-notify hub listening on {url}", flush=True)
    sd_notify.notify("READY=1", f"STATUS=listening on {url}")
    try:
        await stop.wait()
        sd_notify.notify("STOPPING=1", "STATUS=stopping")
        log.info("stopping: finishing accepted notifications and closing connections")
    finally:
        for task in reloads:
            task.cancel()
        heap_task.cancel()
        await hub.stop()
        heap.stop()
        log.info("lan-notify hub stopped")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
