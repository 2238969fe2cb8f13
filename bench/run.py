"""Run the lan-notify benchmark: the hub against the seed guide's Node server, one load generator for both.

    python -m bench.run                      # N = 100, 1000, 5000; 3 rounds; every scenario
    python -m bench.run --n 1000 --rounds 5  # one N
    python -m bench.run --quick              # small N, 1 round, seconds (what the test runs)

For each N it alternates the two servers A B A B ... (a fresh server process per run), pins server
and load generator to different CPUs with taskset when it can (the server on one, the load
generator's processes, `--loadgens`, on the others), and reports per metric the median
and min-max over the rounds, the ratio B/A, and CPU time of both sides. It prints a Markdown table
and writes JSON and a PNG chart under bench/results/ (or --out).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, cast

from bench import budgets, report
from bench.host import cpu_plan, machine, raise_fd_limit, versions, wait_for_quiet
from bench.options import (
    SENDERS,
    Options,
    blast_size,
    connect_budget,
    loadgen_timeout,
    loadgens_for,
    parse_args,
)
from bench.probe import step_figures
from bench.servers import (
    HUB_RATE_ENV,
    LOADGEN_DIR,
    BenchError,
    Population,
    Profiler,
    ServerKind,
    ServerProcess,
    collector_figures,
    copy_data_dir,
    ensure_npm_packages,
    hub_population,
    node_binary,
    pin_prefix,
    seed_population,
    start_floor,
    start_hub,
    start_seed,
)


def labels(pair: tuple[ServerKind, ServerKind]) -> tuple[str, str]:
    a, b = pair
    return (a, b) if a != b else (a, f"{b}#2")


def run_loadgen(
    server: ServerProcess,
    population: Population,
    n: int,
    options: Options,
    cpus: tuple[int, ...] | None,
    workdir: Path,
) -> dict[str, Any]:
    """Run the load generator (all of its processes on `cpus`) against `server`; its JSON."""
    config = {
        "url": server.url,
        "kind": "hub" if server.kind == "hub" else "seed",  # the floor speaks the seed's events
        "serverPid": server.pid,
        "receivers": [c.wire() for c in population.receivers[:n]],
        "senders": [c.wire() for c in population.senders],
        "admin": population.admin.wire(),
        "scenarios": ["connect", "rss", *options.scenarios],
        "broadcasts": blast_size(n, options),
        "loadgens": loadgens_for(n, options, cpus),
        "connectBudgetMs": round(connect_budget(n, options) * 1000),
        "phaseBudgetMs": round(options.phase_budget * 1000),
        **({"presence": options.hub_presence} if server.kind == "hub" else {}),
        **options.tuning,
    }
    path = workdir / f"loadgen-{server.kind}-{n}.json"
    path.write_text(json.dumps(config))
    argv = [*pin_prefix(cpus), node_binary(), str(LOADGEN_DIR / "loadgen.js"), str(path)]
    proc = subprocess.run(
        argv, cwd=LOADGEN_DIR, stdout=subprocess.PIPE, stderr=sys.stderr, text=True, timeout=loadgen_timeout(n, options)
    )
    if proc.returncode != 0:
        raise BenchError(f"load generator exited {proc.returncode} against {server.kind}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError("load generator printed no JSON")
    return cast("dict[str, Any]", json.loads(lines[-1]))


def one_run(
    kind: ServerKind,
    n: int,
    rnd: int,
    options: Options,
    populations: dict[ServerKind, Population],
    template: Path | None,
    workdir: Path,
    cpus: tuple[int | None, tuple[int, ...] | None],
) -> dict[str, Any]:
    data_dir = workdir / "hub-data"
    if kind == "hub":
        assert template is not None
        copy_data_dir(template, data_dir)
    elif kind == "floor":
        shutil.rmtree(data_dir, ignore_errors=True)
    quiet = wait_for_quiet(options.quiet_wait)
    probe_path = None
    if kind == "hub" and options.probe is not None:
        options.probe.mkdir(parents=True, exist_ok=True)
        probe_path = options.probe / f"hub-n{n}-r{rnd}-{os.getpid()}-{len(list(options.probe.iterdir()))}.json"
    if kind == "hub":
        server = start_hub(cpus[0], data_dir, probe=probe_path)
    elif kind == "floor":
        server = start_floor(cpus[0], data_dir)
    else:
        server = start_seed(cpus[0])
    profiler = None
    try:
        if options.profile is not None and kind == "hub" and rnd == 1:
            profiler = Profiler.attach(server.pid, options.profile / f"hub-n{n}-r{rnd}.txt")
        result = run_loadgen(server, populations[kind], n, options, cpus[1], workdir)
    except BaseException:
        print("\n".join(server.tail), file=sys.stderr)
        raise
    finally:
        if profiler is not None:
            print(f"bench: profile in {profiler.stop()}", file=sys.stderr)
        server.stop()
    if kind == "hub":
        result["gc"] = collector_figures(server)
    if probe_path is not None and probe_path.is_file():
        add_probe(result, json.loads(probe_path.read_text()))
        result["probe_file"] = str(probe_path)
    result["quiet_gate"] = quiet
    return result


def add_probe(result: dict[str, Any], probe: dict[str, Any]) -> None:
    """The probe's figures over each direct step (sending and drain), printed and kept in the step."""
    for step in (result.get("direct") or {}).get("steps", []):
        if "started_at_ms" not in step:
            continue
        figures = step_figures(probe, step["started_at_ms"] / 1000, step["ended_at_ms"] / 1000)
        step["probe"] = figures
        print(
            f"probe: {step['offered_per_s']}/s p99 {step['latency']['p99_ms']} ms"
            f" (other {step['cpu'].get('other_cpu_util')}): threads {figures['thread_cpu_util']},"
            f" loop lag {figures['loop_lag_ms']},"
            f" store wait {figures['store_wait_ms']}, group commits {figures['group_commit_ms']},"
            f" long commits {figures['long_commits']},"
            f" longest hold {figures['store_longest']},"
            f" holds {figures['store_hold_ms']}, gc {figures['gc']}, flushes {figures['cursor_flushes']}",
            file=sys.stderr,
        )


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # Unwinds through the `finally` blocks, so the servers and the load generator are stopped.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    a_label, b_label = labels(options.pair)
    ensure_npm_packages()
    fd_limit = raise_fd_limit(2 * max(options.ns) + 2048)
    server_cpu, loadgen_cpu, pinning = cpu_plan(options.pin)
    started = dt.datetime.now(dt.UTC)
    loadgens = {n: loadgens_for(n, options, loadgen_cpu) for n in options.ns}
    print(
        f"bench: {', '.join(f'N={n} ({loadgens[n]} load generator(s))' for n in options.ns)};"
        f" {options.rounds} round(s); {pinning}",
        file=sys.stderr,
    )
    print(
        "bench: budgets: connect wave "
        + ", ".join(f"{connect_budget(n, options):,.0f} s at N={n}" for n in options.ns)
        + f"; the scenarios after it {options.phase_budget:,.0f} s",
        file=sys.stderr,
    )
    if "hub" in options.pair:
        print(
            "bench: the hub's per-user rate limit is raised for the load test: "
            + " ".join(f"{k}={v}" for k, v in HUB_RATE_ENV.items()),
            file=sys.stderr,
        )

    runs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    failures: list[str] = []
    partial: list[str] = []  # what a run could not measure, and why
    with tempfile.TemporaryDirectory(prefix="lan-notify-bench-") as tmp:
        workdir = Path(tmp)
        for n in options.ns:
            runs[n] = {a_label: [], b_label: []}
            # Exactly N receiver users on both sides (a hub stores a broadcast for every user, so
            # extra offline users would cost it), made before any timing starts.
            claimed = seed_population(n, SENDERS)  # the floor speaks the seed's protocol
            populations: dict[ServerKind, Population] = {"seed": claimed, "floor": claimed}
            template: Path | None = None
            if "hub" in options.pair:
                template = workdir / f"hub-template-{n}"
                populations["hub"] = hub_population(template, n, SENDERS)
            for rnd in range(1, options.rounds + 1):
                for kind, label in zip(options.pair, (a_label, b_label), strict=True):
                    print(f"bench: N={n} round {rnd}/{options.rounds}: {label}", file=sys.stderr)
                    try:
                        cpus = (server_cpu, loadgen_cpu)
                        result = one_run(kind, n, rnd, options, populations, template, workdir, cpus)
                    except (BenchError, subprocess.SubprocessError, OSError) as exc:
                        failures.append(f"N={n} round {rnd} {label}: {exc}")
                        print(f"bench: FAILED: {exc}", file=sys.stderr)
                        continue
                    result["round"] = rnd
                    runs[n][label].append(result)
                    for line in budgets.unmeasured(result):
                        partial.append(f"N={n} round {rnd} {label}: {line}")
                        print(f"bench: NOT MEASURED in full: {partial[-1]}", file=sys.stderr)

    summary = {n: report.summarize(by_label, a_label, b_label) for n, by_label in runs.items()}
    text = report.table(summary, a_label, b_label)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    options.out.mkdir(parents=True, exist_ok=True)
    json_path = options.out / f"bench-{stamp}.json"
    png_path = options.out / f"bench-{stamp}.png"
    document = {
        "started": started.isoformat(),
        "finished": dt.datetime.now(dt.UTC).isoformat(),
        "quick": options.quick,
        "pair": {"A": a_label, "B": b_label},
        "ns": list(options.ns),
        "rounds": options.rounds,
        "scenarios": ["connect", "idle_rss", *options.scenarios],
        "pinning": pinning,
        "loadgens": {str(n): k for n, k in loadgens.items()},
        "fd_limit": fd_limit,
        "hub_env": HUB_RATE_ENV if "hub" in options.pair else {},
        "hub_presence": options.hub_presence,
        "tuning": options.tuning,
        "machine": machine(),
        "versions": versions(),
        "failures": failures,
        "budgets": {
            "connect_s": {str(n): connect_budget(n, options) for n in options.ns},
            "phase_s": options.phase_budget,
        },
        "unmeasured": partial,
        "summary": {str(n): s for n, s in summary.items()},
        "runs": {str(n): r for n, r in runs.items()},
        "table": text,
    }
    json_path.write_text(json.dumps(document, indent=1))
    report.chart(summary, a_label, b_label, png_path, f"lan-notify bench: {b_label} / {a_label}, {pinning}")
    print(text)
    print(f"\nresults: {json_path}\nchart:   {png_path}")
    if "hub" in options.pair:
        print("note: hub run with " + " ".join(f"{k}={v}" for k, v in HUB_RATE_ENV.items()) + " (rate limit raised)")
    if partial:
        print("not measured in full (n/a or partial figures above):\n  " + "\n  ".join(partial))
    if failures:
        print("failures:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
