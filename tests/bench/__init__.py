"""Tests of `bench/`: its commands run end to end on tiny loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_bench(module: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` from the repository, without the environment's LAN_NOTIFY_* settings
    (the bench sets what it needs itself)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}
    argv = [sys.executable, "-m", module, *args]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)
