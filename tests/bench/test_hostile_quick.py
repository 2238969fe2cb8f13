"""`python -m bench.hostile --quick` runs end to end and reports its figures (none asserted: the
figures are in docs/reliability.md, from a full run)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.bench import run_bench

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None and os.environ.get("CI") != "true",
    reason="Node.js is not installed (the bench's load generator needs it)",
)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    "args",
    [
        # --quick's N and H with 1 s phases (each phase still measures at least once)
        pytest.param(("--n", "50", "--hostile", "100", "--seconds", "1"), id="1s-phases"),
        pytest.param(("--quick",), id="quick", marks=pytest.mark.slow),  # 4 s phases
    ],
)
def test_quick_hostile_bench_reports_its_figures(args: tuple[str, ...]) -> None:
    proc = run_bench("bench.hostile", *args, timeout=540)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    assert doc["connect"]["connected"] == doc["n"] == 50
    assert doc["held"]["dropped"] == 0, "the hub dropped none of the connections it held"
    for phase in ("quiet", "under_attack", "between", "under_attack_again", "after"):
        assert doc[phase]["direct_ms"]["count"] > 0 and doc[phase]["health_status"] == {
            "200": doc[phase]["health_ms"]["count"]
        }
    assert doc["under_attack"]["hostile_open"]["max"] == doc["hostile_connections"] == 100
