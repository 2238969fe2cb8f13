"""The bench command runs end to end on small N and writes well-formed results.

No timings are asserted: only that every scenario ran against both servers and reported numbers.
Skipped when Node.js is missing, except under CI=true, where a missing component must fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.bench import run_bench

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None and os.environ.get("CI") != "true",
    reason="Node.js is not installed (the bench's seed server and load generator need it)",
)


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("bench-results")
    proc = run_bench("bench.run", "--quick", "--out", str(out), timeout=900)
    return proc, out


@pytest.mark.timeout(960)
def test_quick_bench_writes_results(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = quick_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    (json_path,) = out.glob("bench-*.json")
    (png_path,) = out.glob("bench-*.png")
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "rate limit raised" in proc.stdout
    assert "| N | metric | seed | hub |" in proc.stdout

    doc = json.loads(json_path.read_text())
    for key in ("pair", "ns", "rounds", "scenarios", "pinning", "machine", "versions", "summary", "runs", "table"):
        assert key in doc, key
    assert doc["pair"] == {"A": "seed", "B": "hub"}
    assert doc["failures"] == []
    assert doc["hub_env"]["LAN_NOTIFY_RATE_BURST"] == "1000000"
    (n,) = doc["ns"]

    for label in ("seed", "hub"):
        (run,) = doc["runs"][str(n)][label]
        assert run["kind"] == label
        assert run["connect"]["connected"] == n
        assert _positive(run["connect"]["per_s"])
        assert _positive(run["idle_rss"]["before_kb"])
        assert _positive(run["idle_rss"]["after_kb"])
        assert isinstance(run["idle_rss"]["per_connection_kb"], int | float)

        latency = run["latency"]
        assert latency["incomplete"] == 0
        assert latency["delivery"]["count"] == n * latency["broadcasts"]
        assert latency["delivery"]["p99_ms"] >= latency["delivery"]["p50_ms"] > 0
        # each broadcast's time until everyone had it, and the load generator's pauses meanwhile
        assert len(latency["all_delivered_ms"]) == latency["broadcasts"]
        assert max(latency["all_delivered_ms"]) == pytest.approx(latency["all_delivered_max_ms"], abs=0.1)
        assert len(latency["loadgen_pauses"]) == latency["broadcasts"]
        assert all(p["loop_delay_max_ms"] >= 0 and p["gc_ms"] >= 0 for p in latency["loadgen_pauses"])
        assert all(p["cpu_ms"] > 0 for p in latency["loadgen_pauses"])  # it read every broadcast

        fanout = run["fanout"]
        assert fanout["completed"] is True
        assert fanout["deliveries"] == fanout["expected_deliveries"] == n * fanout["broadcasts"]
        assert _positive(fanout["deliveries_per_s"])
        assert fanout["latency"]["p99_ms"] >= fanout["latency"]["p50_ms"] > 0

        direct = run["direct"]
        assert direct["steps"], "no direct step ran"
        first = direct["steps"][0]
        assert first["sent"] > 0 and first["delivered"] > 0
        assert first["delivered"] <= first["sent"]

        for phase in (run["cpu"], fanout["cpu"]):
            assert phase["server_cpu_s"] >= 0 and phase["loadgen_cpu_s"] >= 0

    hub_run = doc["runs"][str(n)]["hub"][0]
    assert doc["hub_presence"] == "batched"
    assert hub_run["gc"]["freezes"] >= 1 and hub_run["gc"]["count"] >= 0  # what it logged as it stopped
    assert "hub: longest of them" in proc.stdout

    summary = doc["summary"][str(n)]
    row = summary["fanout_deliveries_per_s"]
    assert _positive(row["seed"]["median"]) and _positive(row["hub"]["median"])
    assert _positive(row["ratio"])
    assert row["meets_target"] in (True, False)


@pytest.mark.timeout(600)
def test_the_floor_serves_the_load_generator_like_the_seed(tmp_path: Path) -> None:
    """The floor (bench/peers/floor/server.py, the yardstick for the hub's stack) speaks the seed's
    events well enough for every scenario: all clients authenticate, every broadcast reaches all."""
    argv = ["--quick", "--pair", "seed,floor", "--scenarios", "fanout,direct", "--out", str(tmp_path)]
    proc = run_bench("bench.run", *argv, timeout=540)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert "| N | metric | seed | floor |" in proc.stdout
    (json_path,) = tmp_path.glob("bench-*.json")
    doc = json.loads(json_path.read_text())
    assert doc["pair"] == {"A": "seed", "B": "floor"}
    assert doc["hub_env"] == {}
    (n,) = doc["ns"]
    (run,) = doc["runs"][str(n)]["floor"]
    assert run["connect"]["connected"] == n
    fanout = run["fanout"]
    assert fanout["deliveries"] == fanout["expected_deliveries"] == n * fanout["broadcasts"]
    first = run["direct"]["steps"][0]
    assert first["sent"] > 0 and first["delivered"] == first["sent"]
    # The targets are the hub's against the seed: no verdict for another pair.
    assert doc["summary"][str(n)]["fanout_deliveries_per_s"]["meets_target"] is None
    assert " met |" not in proc.stdout
