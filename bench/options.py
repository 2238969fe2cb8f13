"""bench.run's command line: its options, their defaults, and what follows from them per N (the
fan-out's size, the load generator processes, the time budgets)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

from bench import budgets
from bench.servers import BENCH_DIR, SERVER_KINDS, ServerKind

DESCRIPTION: Final = (
    "Run the lan-notify benchmark: the hub against the seed guide's Node server, one load generator for both."
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
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=DESCRIPTION)
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
