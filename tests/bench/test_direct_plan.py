"""The direct scenario's rising-rate search (`searchDirect` in bench/loadgen/loadgen.js), step by step.

The load generator's own code is run by Node.js on made-up step results: which rate comes next, when
a step that other processes disturbed is run again, and which rate is the figure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench.servers import ensure_npm_packages

REPO = Path(__file__).resolve().parents[2]
LOADGEN = REPO / "bench" / "loadgen" / "loadgen.js"

#: Runs the load generator's search with made-up steps (from the outcomes given) and prints what it found.
SEARCH = """
const { DEFAULTS, searchDirect } = require(process.argv[1]);
const cfg = { ...DEFAULTS, directStartRate: 1000, directFactor: 2, directMinRate: 100 };
const outcomes = JSON.parse(process.argv[2]);
const made = async (rate, i) => {
  if (i >= outcomes.length) throw new Error(`step ${i} has no outcome`);
  const [passed, other] = outcomes[i];
  return { offered_per_s: rate, passed, lost: 0, latency: { p99_ms: 1 }, cpu: { other_cpu_util: other } };
};
searchDirect(cfg, Infinity, made).then((found) => {
  const rates = found.steps.map((s) => s.offered_per_s);
  const best = found.best ? found.best.offered_per_s : null;
  console.log(JSON.stringify({ rates, done: found.done, best, firstFailing: found.firstFailing }));
});
"""


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and Node.js is not on PATH: the load generator cannot be checked", pytrace=False)
        pytest.skip("Node.js is not installed")
    ensure_npm_packages()  # loadgen.js requires socket.io-client when loaded
    return found


def search(node: str, outcomes: list[tuple[bool, float]]) -> dict[str, Any]:
    """Run the search on (passed, other processes' CPU) per step."""
    proc = subprocess.run(
        [node, "-e", SEARCH, str(LOADGEN), json.dumps(outcomes)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


QUIET = 0.02
NOISY = 0.8


def test_the_rate_rises_until_a_step_fails(node: str) -> None:
    result = search(node, [(True, QUIET), (True, QUIET), (False, QUIET), (True, QUIET)])
    assert result == {"rates": [1000, 2000, 4000], "done": True, "best": 2000, "firstFailing": 4000}


def test_a_step_failed_while_other_processes_were_busy_runs_again(node: str) -> None:
    result = search(node, [(True, QUIET), (False, NOISY), (True, QUIET), (False, QUIET)])
    assert result == {"rates": [1000, 2000, 2000, 4000], "done": True, "best": 2000, "firstFailing": 4000}


def test_a_rate_that_keeps_failing_in_noise_runs_at_most_twice_more(node: str) -> None:
    result = search(node, [(True, QUIET), (False, NOISY), (False, NOISY), (False, NOISY), (True, QUIET)])
    assert result == {"rates": [1000, 2000, 2000, 2000], "done": True, "best": 1000, "firstFailing": 2000}


def test_a_step_that_passes_in_noise_counts(node: str) -> None:
    result = search(node, [(True, NOISY), (False, QUIET)])
    assert result == {"rates": [1000, 2000], "done": True, "best": 1000, "firstFailing": 2000}


def test_when_the_first_rate_fails_it_halves_until_one_passes(node: str) -> None:
    result = search(node, [(False, QUIET), (False, NOISY), (False, QUIET), (True, QUIET)])
    assert result == {"rates": [1000, 500, 500, 250], "done": True, "best": 250, "firstFailing": 500}
