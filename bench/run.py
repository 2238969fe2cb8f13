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

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

from bench import budgets, report
from bench.host import cpu_plan, machine, raise_fd_limit, versions, wait_for_quiet
from bench.probe import step_figures
from bench.servers import (
    BENCH_DIR,
    HUB_RATE_ENV,
    LOADGEN_DIR,
    SERVER_KINDS,
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

SCENARIOS: Final = ("latency", "fanout", "direct")  # connect + idle RSS always run: every run connects N
DEFAULT_NS: Final = (100, 1000, 5000)
QUICK_N: Final = 50
SENDERS: Final = 4
#: By default one load generator process per this many clients, at most one per CPU they have and
#: at most SENDERS (each needs one of them).
CLIENTS_PER_LOADGEN: Final = 5000


@dataclass(frozen=True)
class Options:
    ns: tuple[int, ...]
    rounds: int
    scenarios: tuple[str, ...]
    pair: tuple[ServerKind, ServerKind]
    out: Path
    quick: bool
    pin: bool
    broadcasts: int | None
    profile: Path | None
    quiet_wait: float
    probe: Path | None = None
    hub_presence: str = "batched"
    tuning: dict[str, Any] = field(default_factory=dict)
    loadgens: int | None = None  # None: by N (loadgens_for)
    connect_budget: float | None = None  # seconds; None: by N (budgets.connect_budget_s)
    phase_budget: float = budgets.PHASE_BUDGET_S


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", help=f"client counts (default {' '.join(map(str, DEFAULT_NS))})")
    parser.add_argument("--rounds", type=int, help="A B rounds per N (default 3; --quick: 1)")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, of {', '.join(SCENARIOS)} (connect and idle RSS always run)",
    )
    parser.add_argument(
        "--pair",
        default="seed,hub",
        help=(
            "the two servers A,B: seed, hub or floor (default seed,hub; seed,seed checks the harness alone;"
            " floor is the least a server on the hub's stack can do, see bench/peers/floor/server.py)"
        ),
    )
    parser.add_argument("--broadcasts", type=int, help="fan-out blast size M (default: about 200,000 / N deliveries)")
    parser.add_argument(
        "--window", type=int, help="fan-out: broadcasts in flight at most (default 16; 0: all M at once)"
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results", help="where JSON and PNG go")
    parser.add_argument("--quick", action="store_true", help=f"N={QUICK_N}, 1 round, short phases: seconds")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record py-spy profiles of the hub's first-round runs (collapsed stacks) into DIR",
    )
    parser.add_argument(
        "--probe",
        type=Path,
        metavar="DIR",
        help="run the hub under bench.probe (loop lag, store-thread waits, collections; its JSON into DIR)"
        " and add its figures to each direct step",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        metavar="S",
        help="before each run, wait up to S seconds for other processes' CPU use to drop (default 60; --quick 0)",
    )
    parser.add_argument(
        "--connect-budget",
        type=float,
        metavar="S",
        help="seconds the connect wave of N clients may take (default 60 + 25 * (N/1000)²: 2,560 at N = 10,000;"
        " the seed's wave is O(N²)); what it cuts short is reported as not measured",
    )
    parser.add_argument(
        "--phase-budget",
        type=float,
        metavar="S",
        help=f"seconds the scenarios after the wave may take together (default {budgets.PHASE_BUDGET_S:.0f};"
        f" --quick {budgets.QUICK_PHASE_BUDGET_S:.0f}); what it cuts short is reported as not measured",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and load generator with taskset")
    parser.add_argument(
        "--loadgens",
        type=int,
        metavar="K",
        help=f"load generator processes sharing the clients, 1-{SENDERS} (default: one per"
        f" {CLIENTS_PER_LOADGEN:,} clients, at most one per CPU they are pinned to: 1 on a 2-CPU machine)",
    )
    parser.add_argument(
        "--hub-presence",
        choices=("batched", "events"),
        default="batched",
        help="the auth.presence the hub's clients ask for (default batched; events: one user_online per connect)",
    )
    parser.add_argument(
        "--hub-ack",
        action="store_true",
        help="the hub's receivers ack what they get, as the tray app does (each moves its cursor every second)",
    )
    args = parser.parse_args(argv)

    scenarios = tuple(s for s in args.scenarios.split(",") if s)
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    kinds = tuple(args.pair.split(","))
    if len(kinds) != 2 or any(k not in SERVER_KINDS for k in kinds):
        parser.error(f"--pair takes two of {', '.join(SERVER_KINDS)}, e.g. seed,hub")
    rounds = args.rounds if args.rounds is not None else (1 if args.quick else 3)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    ns = tuple(args.n) if args.n else ((QUICK_N,) if args.quick else DEFAULT_NS)
    if any(n < 1 for n in ns):
        parser.error("--n must be positive")
    if any(budget is not None and budget < 0 for budget in (args.connect_budget, args.phase_budget)):
        parser.error("a budget cannot be negative")
    if args.loadgens is not None and not 1 <= args.loadgens <= SENDERS:
        parser.error(f"--loadgens takes 1 to {SENDERS} (each load generator needs one of the {SENDERS} senders)")
    tuning: dict[str, Any] = {} if args.window is None else {"window": args.window}
    if args.hub_ack:
        tuning["ack"] = True
    if args.quick:
        tuning |= {
            "latencyBroadcasts": 5,
            "directStartRate": 100,
            "directFactor": 2,
            "directStepMs": 500,
            "directMaxSteps": 3,
            "directDrainMs": 2000,
            "settleQuietMs": 200,
            "settleMaxMs": 10000,
        }
    return Options(
        ns=ns,
        rounds=rounds,
        scenarios=scenarios,
        pair=cast("tuple[ServerKind, ServerKind]", kinds),
        out=args.out,
        quick=args.quick,
        pin=not args.no_pin,
        broadcasts=args.broadcasts,
        profile=args.profile,
        quiet_wait=args.quiet_wait if args.quiet_wait is not None else (0.0 if args.quick else 60.0),
        hub_presence=args.hub_presence,
        tuning=tuning,
        probe=args.probe,
        loadgens=args.loadgens,
        connect_budget=args.connect_budget,
        phase_budget=args.phase_budget
        if args.phase_budget is not None
        else (budgets.QUICK_PHASE_BUDGET_S if args.quick else budgets.PHASE_BUDGET_S),
    )


def blast_size(n: int, options: Options) -> int:
    if options.broadcasts is not None:
        return options.broadcasts
    if options.quick:
        return 20
    return max(20, min(2000, 200_000 // n))


def loadgens_for(n: int, options: Options, cpus: tuple[int, ...] | None) -> int:
    """How many load generator processes share N clients: --loadgens, or one per
    CLIENTS_PER_LOADGEN clients but no more than the CPUs they run on (`cpus`; unpinned: all but
    one). Processes sharing one core share its time: in a server's ping burst each still stalls, and
    two cost 10-30 % more CPU than one (docs/performance-history.md, round three)."""
    if options.loadgens is not None:
        return options.loadgens
    cores = len(cpus) if cpus is not None else max(1, (os.cpu_count() or 1) - 1)
    return min(SENDERS, cores, max(1, -(-n // CLIENTS_PER_LOADGEN)))


def connect_budget(n: int, options: Options) -> float:
    return options.connect_budget if options.connect_budget is not None else budgets.connect_budget_s(n)


def loadgen_timeout(n: int, options: Options) -> float:
    """bench.run's own limit on the load generator process: past its budgets and waits for quiet."""
    settle_max_s = float(options.tuning.get("settleMaxMs", budgets.SETTLE_MAX_S * 1000)) / 1000
    return budgets.loadgen_timeout_s(connect_budget(n, options), options.phase_budget, settle_max_s)


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
