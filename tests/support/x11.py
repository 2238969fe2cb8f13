"""A virtual X screen of the test's own: `async with virtual_screen(folder, 1366, 768) as display:` (":5")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support.waiting import WAIT


async def spawn(name: str, folder: Path, *argv: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    """Start a child whose stdout the caller reads; its stderr goes to FOLDER/NAME.log."""
    with (folder / f"{name}.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(*argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=log)


async def first_line(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    return (await asyncio.wait_for(proc.stdout.readline(), WAIT)).decode().strip()


async def stop(proc: asyncio.subprocess.Process) -> None:
    """End a child we started, by its own pid."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), WAIT)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@asynccontextmanager
async def virtual_screen(folder: Path, width: int, height: int, env: dict[str, str]) -> AsyncIterator[str]:
    """Xvfb with one screen of width x height pixels; yields its DISPLAY."""
    folder.mkdir(parents=True, exist_ok=True)
    xvfb = await spawn("xvfb", folder, "Xvfb", "-displayfd", "1", "-screen", "0", f"{width}x{height}x24",
                       "-nolisten", "tcp", env=env)  # fmt: skip
    try:
        yield f":{await first_line(xvfb)}"
    finally:
        await stop(xvfb)
