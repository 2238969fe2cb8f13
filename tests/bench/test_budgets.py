"""A bench run's time budgets: the connect wave has its own, scaled with N, and the scenarios after it
another; what a budget cuts short is said in the output and the JSON, never left as a silent zero.

The budgets are driven to zero so that the cut is certain on any machine: real floor servers, the
real load generator, N = 50. No timings are asserted.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.budgets import connect_budget_s
from bench.options import connect_budget, loadgen_timeout, parse_args
from tests.bench import run_bench

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None and os.environ.get("CI") != "true",
    reason="Node.js is not installed (the bench's load generator needs it)",
)


def _run(out: Path, *argv: str) -> tuple[str, dict[str, Any]]:
    proc = run_bench("bench.run", "--quick", "--pair", "floor,floor", "--out", str(out), *argv, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    (json_path,) = out.glob("bench-*.json")
    return proc.stdout, json.loads(json_path.read_text())


def test_the_connect_wave_gets_a_budget_that_grows_with_n_squared_and_the_process_timeout_covers_it() -> None:
    options = parse_args(["--n", "10000"])
    # The seed's wave at 10,000 took 781 s on a quiet machine and ran past 908 s on a busy one.
    assert connect_budget(10_000, options) == connect_budget_s(10_000) == 2560
    assert connect_budget_s(5000) == 685 and connect_budget_s(1000) == 85
    assert options.phase_budget == 900
    assert loadgen_timeout(10_000, options) > connect_budget(10_000, options) + options.phase_budget + 300
    mine = parse_args(["--n", "10000", "--connect-budget", "4000", "--phase-budget", "1200"])
    assert connect_budget(10_000, mine) == 4000 and mine.phase_budget == 1200
    assert loadgen_timeout(10_000, mine) > 4000 + 1200 + 300


@pytest.mark.timeout(330)
def test_a_wave_cut_by_its_budget_is_reported_with_every_scenario_it_stopped(tmp_path: Path) -> None:
    stdout, doc = _run(tmp_path, "--connect-budget", "0")
    assert doc["budgets"]["connect_s"] == {"50": 0.0}
    (run,) = doc["runs"]["50"]["floor"]
    assert run["connect"]["connected"] == 0
    assert run["connect"]["per_s"] is None  # no rate, not a rate of zero
    assert "direct" not in run and "fanout" not in run
    by_scenario = {item["scenario"]: item["reason"] for item in run["unmeasured"]}
    assert "connect budget of 0 s" in by_scenario["connect"]
    assert by_scenario["direct"] == by_scenario["fanout"] == "not run: no receiver connected"
    assert "N=50 round 1 floor: direct: not run: no receiver connected" in doc["unmeasured"]
    assert "not measured in full" in stdout
    assert "N=50 round 1 floor#2: connect: 0 of 50 receivers connected" in stdout


@pytest.mark.timeout(330)
def test_scenarios_cut_by_the_phase_budget_are_reported_and_direct_is_not_a_zero(tmp_path: Path) -> None:
    stdout, doc = _run(tmp_path, "--phase-budget", "0")
    assert doc["budgets"]["phase_s"] == 0
    (run,) = doc["runs"]["50"]["floor"]
    assert run["connect"]["connected"] == 50  # the wave has its own budget
    assert run["latency"]["broadcasts"] == 0 and run["latency"]["broadcasts_planned"] == 5
    assert run["direct"]["steps"] == [] and run["direct"]["ended_by"] == "deadline"
    assert run["direct"]["max_sustained_per_s"] is None
    by_scenario = {item["scenario"]: item["reason"] for item in run["unmeasured"]}
    assert "0 of 5 broadcasts" in by_scenario["latency"]
    assert "no step ran" in by_scenario["direct"] and "phase budget of 0 s" in by_scenario["direct"]
    if not run["fanout"]["completed"]:
        assert "phase budget of 0 s" in by_scenario["fanout"]
    assert "N=50 round 1 floor#2: direct: no step ran" in stdout
    row = doc["summary"]["50"]["direct_max_per_s"]
    assert row["floor"] is None and row["ratio"] is None
