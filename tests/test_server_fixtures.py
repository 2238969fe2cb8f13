"""The real-server fixtures: a missing redis-server or PostgreSQL skips locally but fails in CI; a port taken
before the server binds it does not stop it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator

import pytest

from tests.support.servers import PostgresServer, RedisServer, require_postgres, require_redis
from tests.support.waiting import WAIT


@pytest.fixture
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("glob.glob", lambda pattern: [])


@pytest.mark.parametrize("require", [require_redis, require_postgres])
def test_a_missing_server_skips_with_a_reason_outside_ci(
    nothing_installed: None, monkeypatch: pytest.MonkeyPatch, require: Callable[[], object]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        require()


@pytest.mark.parametrize("require", [require_redis, require_postgres])
def test_a_missing_server_fails_in_ci(
    nothing_installed: None, monkeypatch: pytest.MonkeyPatch, require: Callable[[], object]
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require()


@pytest.fixture
def taken() -> Iterator[int]:
    """A port another process holds: something took it between `free_port()` and the server's start."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


async def test_redis_on_a_port_taken_meanwhile_starts_on_another(taken: int) -> None:
    server = RedisServer(require_redis())
    server.port = taken
    try:
        await server.start()
        assert server.port != taken
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"PING\r\n")
        assert await asyncio.wait_for(reader.readline(), WAIT) == b"+PONG\r\n"
        writer.close()
    finally:
        await server.close()


def test_postgres_on_a_port_taken_meanwhile_starts_on_another(taken: int) -> None:
    server = PostgresServer(require_postgres())
    server.port = taken
    try:
        server.init()
        server.start()
        assert server.port != taken
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT):
            pass
    finally:
        server.destroy()
