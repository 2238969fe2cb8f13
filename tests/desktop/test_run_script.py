"""`make run` without a display says so and runs the hub alone (the tray-app case is in test_e2e_tray2.py)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp

from tests.conftest import WAIT

ROOT = Path(__file__).resolve().parents[2]


async def test_without_a_display_make_run_runs_the_hub_alone(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.update(HOME=str(tmp_path), LAN_NOTIFY_PORT="0", LAN_NOTIFY_DATA_DIR=str(tmp_path / "hub"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        "bash", "scripts/run.sh", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        while not any("hub listening on http://" in line for line in seen):
            line = await asyncio.wait_for(proc.stdout.readline(), WAIT * 3)
            assert line, f"run.sh ended early: {seen}"
            seen.append(line.decode())
        assert seen[0].startswith("No display here (DISPLAY and WAYLAND_DISPLAY are unset)")
        url = seen[-1].split("listening on", 1)[1].strip()
        # An answer means the hub's loop runs, so its SIGTERM handler (set right after the line) is in place.
        async with aiohttp.ClientSession() as http, http.post(f"{url}/api/login", json={}) as response:
            assert response.status == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), WAIT * 2) == 0
