"""The reconnect storm: the hub restarted under N connected devices, timed until every device is back.

    python -m bench.storm                          # N = 1000, 5000; batched presence; one round
    python -m bench.storm --n 1000 --presence batched events
    python -m bench.storm --n 1000 5000 --acking --drop  # the apps' devices, the hub staying up

For each N and presence mode: N provisioned devices (as `bench.run` makes them) connect to a hub with
`auth: {token, presence}` and socket.io-client's default reconnection (`loadgen/storm.js`); once
their wave has settled the hub is stopped (SIGTERM: it closes every connection) and started again
on the same port (with `STORM_ENV`, said below). A device is done when it has its `welcome`, the
marker the admin broadcasts as soon as it is back itself (live or replayed: caught up), and every
device's name in what it was told of presence. Printed per run: seconds from the new hub listening
until every device is back and until every device is done (p50/p99 of the devices' own times), the
hub's CPU over the storm, its RSS, and its full collections (`hub/heap.py`) during the first wave
and during the storm.

`--acking`: each device gives `last_id` at every connect, as the tray app and the web app do.
`--drop`: the hub is not restarted; every device's connection is closed under it at once (a Wi-Fi
access point restarting, a network blip), and each reconnects to the same hub.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from bench.host import cpu_plan, raise_fd_limit, wait_for_quiet
from bench.options import SENDERS
from bench.servers import (
    BENCH_DIR,
    LOADGEN_DIR,
    BenchError,
    Population,
    Profiler,
    ServerProcess,
    collector_figures,
    copy_data_dir,
    ensure_npm_packages,
    hub_population,
    node_binary,
    pin_prefix,
    start_hub,
)
from hub.heap import WAVE

DEFAULT_NS: Final = (1000, 5000)
PRESENCE_MODES: Final = ("batched", "events")
STORM_TIMEOUT_S: Final = 180.0
#: Every device here connects from 127.0.0.1, where a LAN's each have an address of their own: the
#: hub's limit on connections from one address that have not signed in yet (64) would turn most of
#: a storm away with 429 and into socket.io-client's backoff. The storm raises it, and says so.
STORM_ENV: Final = {"LAN_NOTIFY_MAX_PENDING_PER_ADDRESS": "100000"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.storm", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=list(DEFAULT_NS), help="devices (default 1000 5000)")
    parser.add_argument(
        "--presence",
        nargs="+",
        choices=PRESENCE_MODES,
        default=["batched"],
        help="the auth.presence the devices ask for (default batched; events: the seed's per-user events)",
    )
    parser.add_argument("--acking", action="store_true", help="devices give last_id at every connect, as the apps do")
    parser.add_argument(
        "--drop", action="store_true", help="drop every connection at once instead of restarting the hub"
    )
    parser.add_argument("--rounds", type=int, default=1, help="storms per N and mode (default 1)")
    parser.add_argument("--quiet-wait", type=float, default=20.0, metavar="S", help="wait for a quiet CPU (20 s)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results", help="where the JSON goes")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the hub and the devices with taskset")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="py-spy the restarted hub (collapsed stacks) into DIR"
    )
    return parser.parse_args(argv)


def storm(
    n: int,
    presence: str,
    template: Path,
    population: Population,
    workdir: Path,
    cpus: tuple[int | None, tuple[int, ...] | None],
    quiet_wait: float,
    profile: Path | None = None,
    *,
    acking: bool = False,
    drop: bool = False,
) -> dict[str, Any]:
    data_dir = copy_data_dir(template, workdir / "hub-data")
    config = {
        "receivers": [c.wire() for c in population.receivers[:n]],
        "admin": population.admin.wire(),
        "presence": presence,
        "stormTimeoutMs": STORM_TIMEOUT_S * 1000,
        "acking": acking,
        "drop": drop,
    }
    quiet = wait_for_quiet(quiet_wait)
    first = start_hub(cpus[0], data_dir, env_extra=STORM_ENV)
    second: ServerProcess | None = None
    profiler: Profiler | None = None
    config |= {"url": first.url, "serverPid": first.pid}
    path = workdir / f"storm-{n}.json"
    path.write_text(json.dumps(config))
    argv = [*pin_prefix(cpus[1]), node_binary(), str(LOADGEN_DIR / "storm.js"), str(path)]
    devices = subprocess.Popen(
        argv, cwd=LOADGEN_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, text=True
    )
    assert devices.stdin is not None and devices.stdout is not None
    try:
        if devices.stdout.readline().strip() != "READY":
            raise BenchError("the devices did not all connect")
        if drop:
            hub, restart = first, {"stop_s": 0.0, "start_s": 0.0}  # the same hub; storm.js drops the connections
        else:
            stopping = time.perf_counter()
            first.stop()
            starting = time.perf_counter()
            hub = second = start_hub(cpus[0], data_dir, port=first.port, env_extra=STORM_ENV)
            restart = {"stop_s": round(starting - stopping, 3), "start_s": round(time.perf_counter() - starting, 3)}
        if profile is not None:
            profiler = Profiler.attach(hub.pid, profile / f"storm-n{n}-{presence}.txt")
        devices.stdin.write(f"up {hub.pid}\n")
        devices.stdin.flush()
        lines = [line for line in devices.stdout if line.startswith("{")]
        if devices.wait(STORM_TIMEOUT_S + 60) != 0 or not lines:
            raise BenchError(f"storm.js exited {devices.returncode}")
        leave = leave_wave(hub, n) if n >= WAVE else None  # fewer than a wave: no collection to wait for
    except BaseException:
        for server in (first, second):
            if server is not None:
                print("\n".join(server.tail), file=sys.stderr)
        raise
    finally:
        if profiler is not None:
            print(f"bench.storm: profile in {profiler.stop()}", file=sys.stderr)
        if devices.poll() is None:
            devices.kill()
            devices.wait()
        first.stop()
        if second is not None:
            second.stop()
    result: dict[str, Any] = json.loads(lines[-1])
    result["restart"] = restart
    result["leave_wave"] = leave
    first.stop()  # a dropped storm's hub: stopped only now, so that it logs its collector's figures
    result["collector"] = {"first_wave": collector_figures(first), "storm": collector_figures(second or first)}
    result["mode"] = " ".join(["drop" if drop else "restart", *(["acking"] if acking else [])])
    result["quiet_gate"] = quiet
    return result


#: What `HeapKeeper.check` logs after a leave wave (hub/heap.py).
_LEAVE = re.compile(
    r"after a wave leaving \(collected (\d+) unreachable objects first\): froze the heap in ([\d.]+) ms"
)


def leave_wave(hub: ServerProcess, hub_devices: int) -> dict[str, float] | None:
    """Once the devices have gone: what the hub's collection after their leaving found and took (it
    comes within two of its 2-second checks once it has handled the departures; None if not in time)."""
    deadline = time.monotonic() + 8.0 + hub_devices / 1000  # the hub handles ~1,000 departures a second
    while time.monotonic() < deadline:
        for line in hub.tail:
            match = _LEAVE.search(line)
            if match:
                return {"unreachable": int(match.group(1)), "ms": float(match.group(2))}
        time.sleep(0.2)
    return None


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| N | presence, storm | hub stop + start | all back | all done (p50 / p99 of devices)"
        " | last attempt to welcome p50 / p99 | hub CPU in the storm | hub RSS after"
        " | full collections in the storm (longest) | when they left: collected, pause |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        gc = r["collector"]["storm"] or {}
        done = r["done"]
        rows.append(
            f"| {r['n']:,} | {r['presence']}, {r.get('mode', 'restart')}"
            f" | {r['restart']['stop_s']:.1f} + {r['restart']['start_s']:.1f} s"
            f" | {_s(r['all_back_s'])} | {_s(r['all_done_s'])}"
            f" ({_s(_sec(done['p50_ms']))} / {_s(_sec(done['p99_ms']))})"
            f" | {_ms(r['attempt_to_welcome']['p50_ms'])} / {_ms(r['attempt_to_welcome']['p99_ms'])}"
            f" | {r['cpu']['server_cpu_s']:.1f} s"
            f" | {r['server_rss_after_kb'] / 1024:.0f} MB | {gc.get('count', '?')} ({gc.get('longest_ms', '?')} ms)"
            f" | {_leave(r['leave_wave'])} |"
        )
    return "\n".join(rows)


def _leave(leave: dict[str, float] | None) -> str:
    if leave is None:
        return "none (fewer than a wave)"
    return f"{leave['unreachable']:,.0f}, {leave['ms']:.0f} ms"


def _ms(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms:.0f} ms"


def _sec(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def _s(seconds: float | None) -> str:
    return "not all" if seconds is None else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_npm_packages()
    raise_fd_limit(2 * max(args.n) + 2048)
    server_cpu, devices_cpu, pinning = cpu_plan(not args.no_pin)
    print(f"bench.storm: {pinning}; hub run with {' '.join(f'{k}={v}' for k, v in STORM_ENV.items())}", file=sys.stderr)
    results = []
    with tempfile.TemporaryDirectory(prefix="lan-notify-storm-") as tmp:
        workdir = Path(tmp)
        for n in args.n:
            template = workdir / f"hub-template-{n}"
            population = hub_population(template, n, SENDERS)
            for presence in args.presence:
                for rnd in range(1, args.rounds + 1):
                    print(f"bench.storm: N={n} presence={presence} round {rnd}", file=sys.stderr)
                    cpus = (server_cpu, devices_cpu)
                    result = storm(
                        n,
                        presence,
                        template,
                        population,
                        workdir,
                        cpus,
                        args.quiet_wait,
                        args.profile,
                        acking=args.acking,
                        drop=args.drop,
                    )
                    result["round"] = rnd
                    results.append(result)
                    print(table([result]).splitlines()[-1], file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"storm-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.json"
    out.write_text(json.dumps({"pinning": pinning, "hub_env": STORM_ENV, "results": results}, indent=1))
    print(table(results))
    print(f"\nresults: {out}")
    return 0 if all(r["all_done_s"] is not None for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
