"""`make run` without a display says so and runs the hub alone (the tray-app case is in test_e2e_tray2.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import aiohttp

from tests.support.waiting import WAIT

ROOT = Path(__file__).resolve().parents[2]


def script_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.update(HOME=str(tmp_path), LAN_NOTIFY_PORT=str(port), LAN_NOTIFY_DATA_DIR=str(tmp_path / "hub"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    return env


async def test_make_run_on_a_busy_port_says_so_once_and_names_lan_notify_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            "bash", "scripts/run.sh", cwd=ROOT, env=script_env(tmp_path, port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), WAIT * 3)

    assert proc.returncode == 1
    assert out == b""  # no instructions for a hub that is not running, and no "listening on"
    assert err.decode().splitlines() == [
        f"lan-notify: port {port} is already in use on this computer (another hub, or another program, listens "
        f"there). Stop it, or choose another port: LAN_NOTIFY_PORT={port + 1} make run, or notify-hub serve "
        f"--port {port + 1}."
    ]


async def test_without_a_display_make_run_runs_the_hub_alone(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        "bash", "scripts/run.sh", cwd=ROOT, env=script_env(tmp_path, 0),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        while not any("hub listening on http://" in line for line in seen):
            line = await asyncio.wait_for(proc.stdout.readline(), WAIT * 3)
            assert line, f"run.sh ended early: {seen}"
            seen.append(line.decode())
        assert seen[0].startswith("No display here (DISPLAY and WAYLAND_DISPLAY are unset)")
        assert sum("listening" in line for line in seen) == 1  # said once, by the hub, once it listens
        url = seen[-1].split("listening on", 1)[1].strip()
        # An answer means the hub's loop runs, so its SIGTERM handler (set right after the line) is in place.
        async with aiohttp.ClientSession() as http, http.post(f"{url}/api/login", json={}) as response:
            assert response.status == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), WAIT * 2) == 0
