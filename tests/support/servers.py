"""Real servers for tests: a throwaway PostgreSQL cluster and redis-server, each on a free loopback port.

Loaded as a pytest plugin by tests/conftest.py. A missing server binary skips the tests that need it
with a reason, except in CI (`CI=true`), where it fails them: CI must never pass by skipping.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.ports import free_port

START_TIMEOUT = 30.0
#: Neither server can bind port 0 and say which port it got, so each is told a free port; another process
#: may take that port first (tests/support/ports.py), and then the server starts again on another one.
START_ATTEMPTS = 5
IN_USE = "Address already in use"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip (on a developer machine) or fail (in CI) a test whose server cannot be started."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing server fails the run; run scripts/bootstrap.sh)")
    pytest.skip(f"{reason}; install it with scripts/bootstrap.sh")


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin (Debian), else initdb on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresServer:
    """`initdb` + `pg_ctl start` in a fresh /tmp folder (fsync off), as user postgres when we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="lan-notify-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
        if done.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()} {log[-2000:]}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions")

    def start(self) -> None:
        for attempt in range(START_ATTEMPTS):
            options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o", options, "start")
                return
            except RuntimeError as failed:
                if IN_USE not in str(failed) or attempt == START_ATTEMPTS - 1:
                    raise
                self.port = free_port()

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def require_postgres() -> Path:
    """The PostgreSQL binaries, or skip (fail in CI)."""
    bindir = postgres_bin()
    if bindir is None:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        unavailable("the asyncpg package is not installed (pip install lan-notify[postgres])")
    return bindir


def require_redis() -> str:
    """The redis-server binary, or skip (fail in CI)."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server not found")
    try:
        import redis  # noqa: F401
    except ImportError:
        unavailable("the redis package is not installed (pip install lan-notify[redis])")
    return binary


def _start_postgres() -> PostgresServer:
    server = PostgresServer(require_postgres())
    try:
        server.init()
        server.start()
    except BaseException:
        server.destroy()
        raise
    return server


async def create_database(server: PostgresServer) -> str:
    """A new empty database on `server`; returns its URL."""
    import asyncpg

    name = "t_" + uuid.uuid4().hex[:12]
    conn = await asyncpg.connect(server.dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.dsn(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session; each test gets its own database (`postgres_url`)."""
    server = _start_postgres()
    yield server
    server.destroy()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster for one test alone (it may stop and start it)."""
    server = _start_postgres()
    yield server
    server.destroy()


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> str:
    return await create_database(postgres_server)


# --------------------------------------------------------------------------- the hub suite on PostgreSQL


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="store of the in-process hubs of the hub tests: postgres runs them on a throwaway PostgreSQL",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.getoption("--store") != "postgres":
        return
    from tests.support import hubs

    server = _start_postgres()
    session.config.add_cleanup(server.destroy)
    made: set[str] = set()

    def database_for(data_dir: Path) -> str:
        # One database per data directory: a hub restarted on the same directory finds its data.
        name = "h_" + hashlib.sha1(str(data_dir).encode()).hexdigest()[:16]
        if name not in made:
            createdb = [str(server.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
            subprocess.run([*createdb, name], check=True, capture_output=True, timeout=START_TIMEOUT)
            made.add(name)
        return server.dsn(name)

    hubs.database_for = database_for


# --------------------------------------------------------------------------- Redis


class PortTaken(RuntimeError):
    """The port a server was told was taken before it could bind it."""


class RedisServer:
    """`redis-server` in the foreground on a free port, no persistence; can be killed and restarted."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lan-notify-redis-", dir="/tmp"))
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        for attempt in range(START_ATTEMPTS):
            try:
                await self._start()
                return
            except PortTaken:
                if attempt == START_ATTEMPTS - 1:
                    raise
                self.port = free_port()

    async def _start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert self.proc.stdout is not None
        seen: list[bytes] = []
        while True:  # its own log line says when it listens: no polling of the port
            line = await asyncio.wait_for(self.proc.stdout.readline(), START_TIMEOUT)
            if not line:
                said = b"".join(seen).decode(errors="replace")
                await self.proc.wait()
                if IN_USE in said:
                    raise PortTaken(said[-2000:])
                raise RuntimeError("redis-server exited: " + said[-2000:])
            seen.append(line)
            if b"Ready to accept connections" in line:
                break
        self._drain = asyncio.ensure_future(self._discard(self.proc.stdout))

    @staticmethod
    async def _discard(stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            pass

    async def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, everything in memory is gone."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()
            await self._drain

    async def close(self) -> None:
        await self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    server = RedisServer(require_redis())
    await server.start()
    yield server
    await server.close()
