"""`notify-hub` as a user runs it: a subprocess, its exit status and what it printed."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.waiting import WAIT

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str


async def notify_hub(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
    """Run `python -m hub ...` without blocking the event loop the in-process hub runs on."""
    full_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        **(env or {}),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=full_env,
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), WAIT * 3)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())
