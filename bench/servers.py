"""The servers the bench compares, started as subprocesses on 127.0.0.1 with a port the OS picks.

- `seed`: the seed guide's Node server in `bench/peers/seed-node/` (express + socket.io).
- `hub`: lan-notify's hub, `python -m hub serve --port 0 --data-dir D`, with users and device tokens
  made by its admin CLI beforehand, and the per-user rate limit raised through the environment.
- `floor`: `bench/peers/floor/server.py`, the least a server on the hub's stack can do for the
  seed's events while storing every notification (a yardstick: `--pair seed,floor` or `floor,hub`).
  It speaks the seed's protocol, so the load generator treats it as the seed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from bench.probe import ENV as PROBE_ENV
from bench.provision import Client, provision_hub

BENCH_DIR: Final = Path(__file__).resolve().parent
REPO_DIR: Final = BENCH_DIR.parent
SEED_DIR: Final = BENCH_DIR / "peers" / "seed-node"
FLOOR_SERVER: Final = BENCH_DIR / "peers" / "floor" / "server.py"
LOADGEN_DIR: Final = BENCH_DIR / "loadgen"

#: The hub's per-user rate limit would throttle a load test; the bench raises it, and says so.
HUB_RATE_ENV: Final = {"LAN_NOTIFY_RATE_BURST": "1000000", "LAN_NOTIFY_RATE_REFILL_PER_SECOND": "1000000"}

ServerKind = Literal["seed", "hub", "floor"]
SERVER_KINDS: Final[tuple[ServerKind, ...]] = ("seed", "hub", "floor")

_PORT_LINES: Final[dict[ServerKind, re.Pattern[str]]] = {
    "seed": re.compile(r"Server running on port (\d+)"),
    "hub": re.compile(r"lan-notify hub listening on http://127\.0\.0\.1:(\d+)"),
    "floor": re.compile(r"floor listening on http://127\.0\.0\.1:(\d+)"),
}
START_TIMEOUT_S: Final = 60.0
STOP_TIMEOUT_S: Final = 30.0


class BenchError(Exception):
    """A server or the load generator did not do what the bench needs."""


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise BenchError("node is not on PATH (Node.js 18+ is needed for the seed server and the load generator)")
    return node


def ensure_npm_packages() -> None:
    """`npm ci` in the seed server's and the load generator's folders when their packages are missing."""
    needs = {SEED_DIR: ("socket.io", "express"), LOADGEN_DIR: ("socket.io-client",)}
    for folder, packages in needs.items():
        if all((folder / "node_modules" / p / "package.json").is_file() for p in packages):
            continue
        npm = shutil.which("npm")
        if npm is None:
            raise BenchError(f"npm is not on PATH and {folder} has no node_modules")
        print(f"bench: npm ci in {folder.relative_to(REPO_DIR)}", file=sys.stderr)
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            stdout=sys.stderr,
            timeout=600,
        )


def pin_prefix(cpu: int | Sequence[int] | None) -> list[str]:
    """`taskset -c CPU[,CPU...]` when pinning was asked for and taskset exists."""
    if cpu is None:
        return []
    taskset = shutil.which("taskset")
    cpus = (cpu,) if isinstance(cpu, int) else tuple(cpu)
    return [taskset, "-c", ",".join(map(str, cpus))] if taskset and cpus else []


@dataclass
class ServerProcess:
    """A running server: its process, its port and the tail of what it printed."""

    kind: ServerKind
    proc: subprocess.Popen[str]
    port: int
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_S. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT_S)
        if self.reader is not None:
            self.reader.join(STOP_TIMEOUT_S)
        if self.proc.stdout is not None and (self.reader is None or not self.reader.is_alive()):
            self.proc.stdout.close()
        return self.proc.returncode


def _start(kind: ServerKind, argv: list[str], cwd: Path, env: dict[str, str]) -> ServerProcess:
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    tail: deque[str] = deque(maxlen=40)
    found = threading.Event()
    port_box: list[int] = []
    pattern = _PORT_LINES[kind]

    def drain() -> None:
        # Keeps reading for the server's whole life, so a chatty server never blocks on a full pipe.
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line.rstrip("\n"))
            if not found.is_set():
                match = pattern.search(line)
                if match:
                    port_box.append(int(match.group(1)))
                    found.set()
        found.set()

    reader = threading.Thread(target=drain, name=f"{kind}-stdout", daemon=True)
    reader.start()
    if not found.wait(START_TIMEOUT_S) or not port_box:
        proc.kill()
        proc.wait(STOP_TIMEOUT_S)
        raise BenchError(f"{kind} server did not report its port; last output:\n" + "\n".join(tail))
    return ServerProcess(kind=kind, proc=proc, port=port_box[0], tail=tail, reader=reader)


def start_seed(cpu: int | None) -> ServerProcess:
    argv = [*pin_prefix(cpu), node_binary(), "server.js", "0"]
    return _start("seed", argv, SEED_DIR, dict(os.environ))


def start_hub(
    cpu: int | None,
    data_dir: Path,
    port: int = 0,
    env_extra: dict[str, str] | None = None,
    *,
    probe: Path | None = None,
) -> ServerProcess:
    """`port` 0: one the OS picks; a restart passes the port its clients know. `probe`: run it under
    `bench.probe`, which writes what it saw there as the hub stops."""
    env = dict(os.environ)
    env.update(HUB_RATE_ENV)
    env.update(env_extra or {})
    module = "hub"
    if probe is not None:
        env[PROBE_ENV] = str(probe)
        module = "bench.probe"
    argv = [*pin_prefix(cpu), sys.executable, "-m", module, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    return _start("hub", argv, REPO_DIR, env)


#: The line `notify-hub serve` logs as it stops (hub/heap.py: `GenTwoPauses.summary`).
_COLLECTOR = re.compile(
    r"collector: (\d+) full collections, ([\d.]+) ms in all, longest ([\d.]+) ms;"
    r" (\d+) freezes, longest ([\d.]+) ms; (\d+) objects frozen"
)


def collector_figures(server: ServerProcess | None) -> dict[str, float] | None:
    """The hub's full collections over its life, from the line it logged as it stopped (None: no such line)."""
    for line in reversed(server.tail if server is not None else ()):
        match = _COLLECTOR.search(line)
        if match:
            count, total, longest, freezes, freeze_longest, frozen = match.groups()
            return {
                "count": int(count),
                "total_ms": float(total),
                "longest_ms": float(longest),
                "freezes": int(freezes),
                "freeze_longest_ms": float(freeze_longest),
                "frozen": int(frozen),
            }
    return None


def start_floor(cpu: int | None, data_dir: Path, options: Sequence[str] = ()) -> ServerProcess:
    """The floor; `options`: more of its command line (e.g. `--ping-interval-ms`)."""
    argv = [*pin_prefix(cpu), sys.executable, str(FLOOR_SERVER), "--port", "0", "--data-dir", str(data_dir), *options]
    return _start("floor", argv, REPO_DIR, dict(os.environ))


@dataclass(frozen=True)
class Population:
    """Who connects: the N receivers, the senders of direct notifications and the broadcasting admin."""

    receivers: list[Client]
    senders: list[Client]
    admin: Client


def seed_population(n: int, senders: int) -> Population:
    # The seed has no accounts: a client is whatever userId it claims in `authenticate`.
    return Population(
        receivers=[Client(user_id=f"u{i}") for i in range(n)],
        senders=[Client(user_id=f"sender{i}") for i in range(senders)],
        admin=Client(user_id="admin"),
    )


def hub_population(template: Path, n: int, senders: int) -> Population:
    """Users u0..u{n-1} (one device token each), senders and an admin, made once in `template`."""
    clients = provision_hub(template, receivers=n, senders=senders, cwd=REPO_DIR)
    return Population(receivers=clients.receivers[:n], senders=clients.senders[:senders], admin=clients.admin)


def copy_data_dir(template: Path, dest: Path) -> Path:
    """A fresh copy of the provisioned data dir, so no run sees what an earlier one stored."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(template, dest)
    return dest


@dataclass
class Profiler:
    """py-spy sampling a running server (collapsed stacks), stopped with SIGINT so it writes its file.

    `--nonblocking` (the server is never paused) at 100 Hz, to keep the cost to the measured run small.
    """

    proc: subprocess.Popen[bytes]
    path: Path

    @classmethod
    def attach(cls, pid: int, path: Path) -> Profiler:
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if not Path(py_spy).exists():
            raise BenchError("--profile needs py-spy (in the bench extra: pip install -e '.[bench]')")
        path.parent.mkdir(parents=True, exist_ok=True)
        argv = [py_spy, "record", "--pid", str(pid), "--rate", "100", "--nonblocking", "--format", "raw"]
        argv += ["-o", str(path)]
        return cls(proc=subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), path=path)

    def stop(self) -> Path:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_TIMEOUT_S * 3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT_S)
        return self.path
