"""deploy/notify-hub.service: systemd accepts it, and its ExecStart, run as systemd would run it, tells
systemd when it is ready, reloads its TLS certificate on SIGHUP and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from hub import tls
from tests.support.servers import unavailable
from tests.support.waiting import WAIT

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "notify-hub.service"
NOTIFY_HUB = Path(sys.executable).parent / "notify-hub"


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        unavailable("systemd-analyze is missing (Debian: systemd)")
    return tool


def unit_lines(key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in UNIT.read_text().splitlines() if line.startswith(key + "=")]


def installed_unit(folder: Path) -> Path:
    """The unit as installed here: only ExecStart's program is this virtualenv's notify-hub."""
    [start] = unit_lines("ExecStart")
    path = folder / UNIT.name
    path.write_text(UNIT.read_text().replace(start.split()[0], str(NOTIFY_HUB)))
    return path


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    done = subprocess.run(
        [systemd_analyze(), "verify", str(installed_unit(tmp_path))], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_unit_is_hardened(tmp_path: Path) -> None:
    # systemd's own exposure score: 0 (locked down) to 10 (unprotected); "OK" is below 5.
    done = subprocess.run(
        [systemd_analyze(), "security", "--offline=yes", "--threshold=20", str(installed_unit(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "Overall exposure level for notify-hub.service: 1." in done.stdout


class NotifySocket:
    """A stand-in for systemd's notification socket: a datagram socket whose messages a test awaits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.setblocking(False)

    async def next(self) -> dict[str, str]:
        data = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(self.sock, 4096), WAIT * 2)
        return dict(line.split("=", 1) for line in data.decode().splitlines())

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path: a Unix socket's path holds at most 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="ln-unit-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def notify_socket(short_dir: Path) -> AsyncIterator[NotifySocket]:
    sock = NotifySocket(short_dir / "notify")
    yield sock
    sock.close()


def service_environment(state_root: Path, notify: NotifySocket, env_file: dict[str, str]) -> dict[str, str]:
    """What systemd gives the ExecStart process: the unit's Environment= (%S expanded), the EnvironmentFile=,
    STATE_DIRECTORY (created 0700, as StateDirectory= does) and NOTIFY_SOCKET."""
    state = state_root / "lan-notify"
    state.mkdir(parents=True, mode=0o700)
    env = {key: value for key, value in os.environ.items() if not key.startswith("LAN_NOTIFY_")}
    for assignment in unit_lines("Environment"):
        key, value = assignment.split("=", 1)
        env[key] = value.replace("%S", str(state_root))
    env.update(env_file)
    env.update({"STATE_DIRECTORY": str(state), "NOTIFY_SOCKET": str(notify.path)})
    return env


@contextlib.asynccontextmanager
async def exec_start(env: dict[str, str]) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """The unit's ExecStart line as written (its program: this virtualenv's notify-hub); yields it and its URL."""
    [start] = unit_lines("ExecStart")
    argv = [str(NOTIFY_HUB), *start.split()[1:]]
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), WAIT * 3)
        assert b"listening on" in line, line + (await proc.stderr.read() if proc.stderr else b"")
        yield proc, line.decode().split("listening on", 1)[1].strip()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_exec_start_as_systemd_runs_it_reports_ready_reloading_and_stopping(
    short_dir: Path, notify_socket: NotifySocket
) -> None:
    # The shipped hub.env, with a free port and the loopback address instead of the whole LAN.
    env_file = dict(line.split("=", 1) for line in (ROOT / "deploy" / "hub.env").read_text().splitlines()
                    if line and not line.startswith("#"))  # fmt: skip
    env_file.update({"LAN_NOTIFY_HOST": "127.0.0.1", "LAN_NOTIFY_PORT": "0", "LAN_NOTIFY_ANNOUNCE": "false"})
    env = service_environment(short_dir / "lib", notify_socket, env_file)
    async with exec_start(env) as (proc, url):
        ready = await notify_socket.next()
        assert ready["READY"] == "1" and url in ready["STATUS"]
        async with aiohttp.ClientSession() as http, http.get(f"{url}/api/health") as response:
            assert response.status == 200  # ready means serving
        assert (short_dir / "lib" / "lan-notify" / "hub.sqlite3").exists()  # the store is in the state directory

        proc.send_signal(signal.SIGHUP)
        reloading = await notify_socket.next()
        assert reloading["RELOADING"] == "1" and int(reloading["MONOTONIC_USEC"]) > 0
        assert (await notify_socket.next())["READY"] == "1"

        proc.send_signal(signal.SIGTERM)
        assert (await notify_socket.next())["STOPPING"] == "1"
        assert await asyncio.wait_for(proc.wait(), WAIT * 2) == 0


def write_pair(folder: Path, host: str = "127.0.0.1") -> str:
    cert, key = tls.self_signed([host])
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    return tls.fingerprint(tls.pem_to_der(cert))


async def presented(url: str) -> str:
    host, port = url.removeprefix("https://").rsplit(":", 1)
    return tls.fingerprint(await tls.peer_certificate(host, int(port)))


async def test_sighup_reads_a_renewed_certificate_and_keeps_the_old_one_when_the_new_is_unusable(
    short_dir: Path, notify_socket: NotifySocket
) -> None:
    first = write_pair(short_dir)
    env = service_environment(short_dir / "lib", notify_socket, {
        "LAN_NOTIFY_PORT": "0",
        "LAN_NOTIFY_TLS_CERT": str(short_dir / "cert.pem"),
        "LAN_NOTIFY_TLS_KEY": str(short_dir / "key.pem"),
    })  # fmt: skip
    async with exec_start(env) as (proc, url):
        assert (await notify_socket.next())["READY"] == "1"
        assert await presented(url) == first

        renewed = write_pair(short_dir)  # as a renewal would: the same paths, new files
        proc.send_signal(signal.SIGHUP)
        assert "RELOADING" in await notify_socket.next() and "READY" in await notify_socket.next()
        assert await presented(url) == renewed != first

        (short_dir / "key.pem").write_text("not a key\n")  # a renewal gone wrong
        proc.send_signal(signal.SIGHUP)
        assert "RELOADING" in await notify_socket.next() and "READY" in await notify_socket.next()
        assert await presented(url) == renewed  # still serving, with the certificate that works

        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), WAIT * 2) == 0
        assert proc.stderr is not None
        log = (await proc.stderr.read()).decode()
    assert f"TLS certificate read again from {short_dir / 'cert.pem'} (SHA-256 {renewed})" in log
    assert "reload: kept the current TLS certificate" in log and "Traceback" not in log
