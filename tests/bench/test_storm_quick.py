"""The reconnect storm runs end to end on a small N and reports every device back, for both presence modes.

No timings are asserted: only that every device came back, caught up and told who is online, and
that the figures are there. The default run restarts the hub under devices in one presence mode
(`events`; the dropped-connections storm below is `batched`); `make test-all` does both modes in one
run, as a user of the bench would. Skipped when Node.js is missing, except under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.bench import run_bench

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None and os.environ.get("CI") != "true",
    reason="Node.js is not installed (the storm's devices are socket.io-client)",
)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    "modes",
    [pytest.param(("events",), id="events"), pytest.param(("batched", "events"), id="both", marks=pytest.mark.slow)],
)
def test_every_device_comes_back_after_a_restart_in_each_presence_mode(tmp_path: Path, modes: tuple[str, ...]) -> None:
    argv = ["--n", "30", "--presence", *modes, "--quiet-wait", "0", "--out", str(tmp_path)]
    proc = run_bench("bench.storm", *argv, timeout=540)

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert "| N | presence, storm | hub stop + start | all back |" in proc.stdout
    (json_path,) = tmp_path.glob("storm-*.json")
    results = json.loads(json_path.read_text())["results"]
    assert [(r["n"], r["presence"]) for r in results] == [(30, mode) for mode in modes]
    for result in results:
        assert result["devices_done"] == 30
        assert result["all_done_s"] >= result["all_back_s"] > 0
        assert result["done"]["count"] == 30
        assert result["collector"]["storm"]["freezes"] >= 1
        assert result["collector"]["first_wave"] is not None
        assert result["restart"]["stop_s"] > 0 and result["restart"]["start_s"] > 0
        assert result["mode"] == "restart"


@pytest.mark.timeout(600)
def test_every_acking_device_comes_back_after_its_connection_dropped(tmp_path: Path) -> None:
    argv = ["--n", "30", "--acking", "--drop", "--quiet-wait", "0", "--out", str(tmp_path)]
    proc = run_bench("bench.storm", *argv, timeout=540)

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert "| 30 | batched, drop acking |" in proc.stdout
    (json_path,) = tmp_path.glob("storm-*.json")
    (result,) = json.loads(json_path.read_text())["results"]
    assert result["devices_done"] == 30 and result["done"]["count"] == 30
    assert result["all_done_s"] >= result["all_back_s"] > 0
    assert result["restart"] == {"stop_s": 0.0, "start_s": 0.0}  # the same hub all along
