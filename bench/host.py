"""The machine the bench runs on: the open-file limit, which CPUs the two sides get, a quiet moment,
and what it is (CPU, kernel, versions of what is measured) for the results."""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.servers import LOADGEN_DIR, REPO_DIR, SEED_DIR, BenchError, node_binary


def raise_fd_limit(needed: int) -> int:
    """Raise RLIMIT_NOFILE (inherited by the servers and the load generator). Returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            return needed
        except (ValueError, OSError):
            needed = hard
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return needed


def cpu_plan(pin: bool) -> tuple[int | None, tuple[int, ...] | None, str]:
    """(server CPU, load generator CPUs, description): the server on the first CPU this process may
    use, the load generator (all of its processes) on every other one."""
    cpus = sorted(os.sched_getaffinity(0))
    if not pin:
        return None, None, "not pinned (--no-pin)"
    if shutil.which("taskset") is None:
        return None, None, "not pinned (no taskset)"
    if len(cpus) < 2:
        return None, None, f"not pinned (only CPU {cpus[0]} available)"
    rest = tuple(cpus[1:])
    where = f"CPU {rest[0]}" if len(rest) == 1 else f"CPUs {','.join(map(str, rest))}"
    return cpus[0], rest, f"server on CPU {cpus[0]}, load generator on {where} (taskset)"


def _busy_and_total() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] if len(fields) > 7 else 0)
    return busy, sum(fields[:8])


def wait_for_quiet(max_wait_s: float, threshold_cores: float = 0.3) -> dict[str, float]:
    """Wait (at most max_wait_s) until the machine's CPU use over one second is under threshold_cores.

    Other processes on the machine (test suites, builds) skew a benchmark; this does not stop them,
    but starts each run in a quiet moment when there is one, and reports what it saw.
    """
    ncpu = len(os.sched_getaffinity(0)) or 1
    waited = 0.0
    load = 0.0
    while True:
        busy0, total0 = _busy_and_total()
        time.sleep(1.0)
        busy1, total1 = _busy_and_total()
        load = ncpu * (busy1 - busy0) / max(1, total1 - total0)
        if load < threshold_cores or waited + 1.0 > max_wait_s:
            return {"waited_s": waited, "busy_cores_at_start": round(load, 3)}
        waited += 1.0


def versions() -> dict[str, str]:
    found: dict[str, str] = {"python": platform.python_version()}
    for dist in ("python-socketio", "python-engineio", "aiohttp"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "missing"
    try:
        found["node"] = subprocess.run(
            [node_binary(), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (BenchError, subprocess.SubprocessError):
        found["node"] = "missing"
    for folder, package in ((SEED_DIR, "socket.io"), (SEED_DIR, "express"), (LOADGEN_DIR, "socket.io-client")):
        manifest = folder / "node_modules" / package / "package.json"
        if manifest.is_file():
            found[f"npm:{package}"] = str(json.loads(manifest.read_text())["version"])
    return found


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True)
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "git_commit": commit.stdout.strip(),
    }
