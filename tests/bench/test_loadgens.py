"""The bench drives its clients from one load generator process or several, with the same results.

Real servers (the floor and the hub) at a small N, once with `--loadgens 1` and once with
`--loadgens 2`: the same keys, every client connected, every broadcast and direct notification
counted once; and the two processes' latencies merged as one distribution (the load generator's own
merge, run by Node.js on made-up latencies). No timings are asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.options import loadgens_for, parse_args
from bench.servers import ensure_npm_packages
from tests.bench import run_bench

REPO = Path(__file__).resolve().parents[2]
LOADGEN = REPO / "bench" / "loadgen" / "loadgen.js"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None and os.environ.get("CI") != "true",
    reason="Node.js is not installed (the bench's load generator needs it)",
)

KINDS = ("floor", "hub")


def _run(out: Path, loadgens: int) -> dict[str, Any]:
    argv = ["--quick", "--pair", ",".join(KINDS), "--loadgens", str(loadgens), "--out", str(out)]
    proc = run_bench("bench.run", *argv, timeout=540)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    (json_path,) = out.glob("bench-*.json")
    doc: dict[str, Any] = json.loads(json_path.read_text())
    return doc


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Any]]:
    return {k: _run(tmp_path_factory.mktemp(f"loadgens-{k}"), k) for k in (1, 2)}


def _keys(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key path in a result, lists by their first item; not `parts` (the per-process figures
    that only a run with several load generators has) nor `rerun` (a step run again for noise)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("parts", "rerun"):
                yield f"{prefix}{key}"
                yield from _keys(item, f"{prefix}{key}.")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        yield from _keys(value[0], f"{prefix}[].")


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("kind", KINDS)
def test_two_load_generators_give_the_figures_one_gives(docs: dict[int, dict[str, Any]], kind: str) -> None:
    (n,) = docs[1]["ns"]
    one, two = (docs[k]["runs"][str(n)][kind][0] for k in (1, 2))
    assert docs[1]["loadgens"] == {str(n): 1} and docs[2]["loadgens"] == {str(n): 2}
    assert (one["loadgens"], two["loadgens"]) == (1, 2)
    assert one["loadgen_receivers"] == [n] and two["loadgen_receivers"] == [n // 2, n - n // 2]
    assert set(_keys(two)) == set(_keys(one))

    for run in (one, two):
        assert run["connect"]["connected"] == run["connect"]["handshake"]["count"] == n
        latency = run["latency"]
        assert latency["incomplete"] == 0
        assert latency["delivery"]["count"] == n * latency["broadcasts"]
        fanout = run["fanout"]
        assert fanout["completed"] is True
        assert fanout["deliveries"] == fanout["expected_deliveries"] == fanout["latency"]["count"]
        first = run["direct"]["steps"][0]
        assert first["delivered"] == first["sent"] == first["latency"]["count"]
        assert run["cpu"]["loadgen_cpu_s"] > 0 and fanout["cpu"]["loadgen_cpu_s"] > 0

    # The same rate offered in all: each process sends its share to its own receivers.
    assert abs(two["direct"]["steps"][0]["sent"] - one["direct"]["steps"][0]["sent"]) <= 2
    for step in two["direct"]["steps"]:
        parts = step["parts"]
        assert len(parts) == 2 and all(p["sent"] > 0 for p in parts)
        assert sum(p["sent"] for p in parts) == step["sent"]
        assert sum(p["latency"]["count"] for p in parts) == step["latency"]["count"] == step["delivered"]
        assert step["latency"]["max_ms"] == max(p["latency"]["max_ms"] for p in parts)


#: The load generator's merge of one direct step from two processes, on made-up latencies.
MERGE = """
const { DEFAULTS, mergeStep } = require(process.argv[1]);
const [a, b] = JSON.parse(process.argv[2]).map((l) => Float64Array.from(l));
const pauses = { loop_delay_max_ms: 1, gc_ms: 0, gc_longest_ms: 0, pings: 0 };
const part = (l) => ({ started_at_ms: 1, ended_at_ms: 2, sent: l.length, delivered: l.length, drained: true,
  send_seconds: 1, latencies: l, pauses });
const cpu = { server_cpu_s: 0.01, other_cpu_util: 0 };
console.log(JSON.stringify(mergeStep(DEFAULTS, 200, [part(a), part(b)], cpu)));
"""


def test_latencies_from_two_processes_merge_as_one_distribution() -> None:
    node = shutil.which("node")
    assert node is not None
    ensure_npm_packages()  # loadgen.js requires socket.io-client when loaded
    # One process saw 99 fast deliveries; the other one fast and one slow.
    fast, slow = [float(ms) for ms in range(1, 100)], [1.0, 500.0]
    proc = subprocess.run(
        [node, "-e", MERGE, str(LOADGEN), json.dumps([fast, slow])], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    step = json.loads(proc.stdout)
    assert (step["sent"], step["delivered"], step["lost"]) == (101, 101, 0)
    # The 101 latencies sorted: p50 is the 51st (50 ms), p99 the 100th (99 ms); an average of the
    # two processes' p99s would be (99 + 500) / 2.
    assert step["latency"] == {"count": 101, "p50_ms": 50.0, "p99_ms": 99.0, "max_ms": 500.0}
    assert step["passed"] is True
    assert [p["latency"]["p99_ms"] for p in step["parts"]] == [99.0, 500.0]


def test_the_default_is_one_load_generator_per_5000_clients_and_no_more_than_its_cpus() -> None:
    default, two = parse_args([]), parse_args(["--loadgens", "2"])
    assert [loadgens_for(n, default, (1, 2, 3)) for n in (100, 5000, 5001, 10_000, 20_000)] == [1, 1, 2, 2, 3]
    assert loadgens_for(50_000, default, tuple(range(1, 8))) == 4  # one of the 4 senders each
    assert loadgens_for(10_000, default, (1,)) == 1  # processes sharing one core: one is as good
    assert loadgens_for(100, two, (1,)) == 2  # asked for: as asked
